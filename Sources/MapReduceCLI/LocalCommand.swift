import ArgumentParser
import Foundation
import MapReduce

/// Runs a job in this one process with the ``LocalRunner``, its tasks on every core (`--parallel 1`: one after
/// another, as the ``SequentialRunner``, the oracle that distributed runs are compared with, does).
struct LocalCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: CommandContext.commandName("local"),
            abstract: "Run a MapReduce job in this one process.",
            discussion: """
                Writes part-00000 …, _summary.json and _SUCCESS to the output directory, as a coordinator does. Exit status: 0 \
                on success, 64 for bad arguments (nothing was run), 1 when the job fails.
                """)
    }

    @OptionGroup var jobOptions: JobOptions

    @Flag(help: "List the jobs and exit (as the jobs subcommand does).")
    var listJobs = false

    @Flag(help: "No progress line on standard error.")
    var quiet = false

    @Option(help: "Tasks to run at once, each on a thread of its own (default: the number of cores); 1 runs them one after another.")
    var parallel = LocalRunner.defaultParallelism

    func validate() throws {
        guard (1...1024).contains(parallel) else { throw ValidationError("--parallel must be from 1 to 1024 (got \(parallel))") }
    }

    func run() throws {
        let catalog = CommandContext.catalog
        if listJobs {
            print(catalog.listing, terminator: "")
            return
        }
        let job: (job: AnyJob, output: String, inputs: [String], configuration: JobConfiguration)
        do {
            job = try jobOptions.resolve(in: catalog)
            _ = try SplitPlanner(splitSize: job.configuration.splitSize).expand(job.inputs)
            try OutputDirectory(path: job.output).prepare()
        } catch {
            throw ExitStatus.refuse("local", error)
        }
        do {
            let line = ProgressLine.forStandardError(quiet: quiet)
            let throttle = ProgressThrottle(interval: line?.interval ?? .zero)
            let runner = LocalRunner(configuration: job.configuration, parallelism: parallel) { progress in
                guard let line, throttle.due(final: progress.phase == "reduce" && progress.done == progress.total) else { return }
                line.write(
                    ProgressLine.Status(
                        phase: progress.phase, done: progress.done, total: progress.total, inputBytes: progress.inputBytes, elapsed: progress.seconds,
                        remaining: progress.remainingSeconds))
            }
            let summary = try runner.run(job.job, parameters: jobOptions.parameterValues, inputs: job.inputs, output: job.output)
            if let line { FileHandle.standardError.write(Data(line.finish.utf8)) }
            FileHandle.standardError.write(Data("\(summary.line); output in \(job.output)\n".utf8))
        } catch {
            CommandContext.complain("local", "\(error)")
            throw ExitCode(ExitStatus.failed)
        }
    }
}
