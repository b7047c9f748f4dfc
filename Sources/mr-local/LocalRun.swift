import ArgumentParser
import Foundation
import Jobs
import MapReduce
import MapReduceCLI

/// Runs a catalog job in this one process with the `SequentialRunner`: the way to debug a job locally.
@main
struct LocalRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mr-local",
        abstract: "Run a MapReduce job from the catalog in one process.",
        discussion: """
            Writes part-00000 … and _SUCCESS to the output directory. Exit status: 0 on success, 64 for bad \
            arguments (nothing was run), 1 when the job fails.
            """)

    @Option(name: .long, help: "The catalog job to run (see --list-jobs).")
    var job: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("A job parameter, NAME=VALUE (repeatable).", valueName: "name=value"))
    var parameters: [JobParameter] = []

    @Option(name: .long, help: "The number of reduce partitions (output files).")
    var reducers = 1

    @Option(name: .long, help: "The output directory; must not hold earlier output.")
    var output: String?

    @Option(name: .long, help: "The most input bytes per map task, e.g. 64MiB.")
    var splitSize = ByteSize(bytes: 64 << 20)

    @Option(name: .long, help: "Bytes a task buffers before spilling a sorted run, e.g. 64MiB.")
    var memoryBudget = ByteSize(bytes: 64 << 20)

    @Option(name: .long, help: "Records whose map call throws (or that are too long) that the job may skip, listing them in _bad_records.jsonl.")
    var skipBadRecords = 0

    @Option(name: .long, help: "The longest input record, e.g. 64MiB; a longer one fails the job, or is skipped with --skip-bad-records.")
    var maxRecordSize = ByteSize(bytes: Int64(JobConfiguration.defaultMaximumRecordSize))

    @Option(name: .long, help: "The zstd level of intermediate files (1-19).")
    var compressionLevel: Int32 = 1

    @Flag(name: .long, help: "Skip fsync before publishing files (faster, not crash-safe).")
    var noSync = false

    @Flag(name: .long, help: "List the catalog's jobs and exit.")
    var listJobs = false

    @Argument(help: "Input files or directories.")
    var inputs: [String] = []

    var jobConfiguration: JobConfiguration {
        JobConfiguration(
            reducers: reducers, splitSize: splitSize.bytes, memoryBudget: Int(memoryBudget.bytes),
            compressionLevel: compressionLevel, syncFiles: !noSync, skipBadRecords: skipBadRecords,
            maximumRecordSize: Int(clamping: maxRecordSize.bytes))
    }

    /// Checks everything before any work; the message is one line naming the problem.
    func checkArguments() -> String? {
        guard let job else { return "missing --job; choose one of: \(catalog.names.joined(separator: ", "))" }
        do { _ = try catalog.job(named: job, parameters: JobParameter.values(parameters)) } catch { return "\(error)" }
        guard let output else { return "missing --output DIR" }
        guard !inputs.isEmpty else { return "no input files were given; name at least one file or directory" }
        do { try jobConfiguration.validate() } catch { return error.message }
        do { _ = try SplitPlanner(splitSize: splitSize.bytes).expand(inputs) } catch { return error.message }
        do { try OutputDirectory(path: output).prepare() } catch { return error.message }
        return nil
    }

    func run() throws {
        if listJobs {
            print(catalog.names.joined(separator: "\n"))
            return
        }
        if let problem = checkArguments() {
            FileHandle.standardError.write(Data("mr-local: \(problem)\n".utf8))
            throw ExitCode(64)
        }
        guard let job, let output else { return }
        do {
            let report = try SequentialRunner(configuration: jobConfiguration).run(
                try catalog.job(named: job, parameters: JobParameter.values(parameters)), inputs: inputs, output: output)
            FileHandle.standardError.write(Data((report.summaryLine(output: output) + "\n").utf8))
        } catch {
            FileHandle.standardError.write(Data("mr-local: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

extension JobReport {
    /// One line for a person: what ran, how much, how fast, where the output is.
    func summaryLine(output: String) -> String {
        let mebibytes = Double(inputBytes) / Double(1 << 20)
        let rate = seconds > 0 ? mebibytes / seconds : 0
        return "\(job): \(mapTasks) map and \(reduceTasks) reduce tasks, \(inputRecords) records (\(String(format: "%.1f", mebibytes)) MiB) in "
            + "\(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", rate)) MiB/s), \(outputRecords) output records in \(output)"
    }
}
