import ArgumentParser
import Foundation
import Jobs
import MapReduce
import MapReduceCLI
import MapReduceTesting

#if canImport(Glibc)
import Glibc
#endif

/// Measures word count or sort, in one process and with a coordinator and workers: MiB/s, wall time and peak
/// memory over a deterministic corpus it generates.
@main
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mr-bench",
        abstract: "Benchmark word count or sort: local (one process) and distributed (a coordinator and workers). Build with -c release.")

    @Option(help: "The job: word-count (over generated text) or sort (over generated 100-byte records).")
    var job = "word-count"

    @Option(help: "Corpus directory: generated there if it holds no input files yet (default: /tmp/mr-bench-corpus, or /tmp/mr-bench-records for sort).")
    var corpus: String?

    @Option(help: "Corpus size to generate, in MiB.")
    var mib = 1024

    @Option(help: "Number of corpus files to generate.")
    var files = 16

    @Option(help: "Reduce partitions.")
    var reducers = 1

    @Option(help: "The most input bytes per map task, e.g. 64MiB.")
    var splitSize = ByteSize(bytes: 64 << 20)

    @Option(help: "Bytes a task buffers before spilling a sorted run, e.g. 64MiB.")
    var memoryBudget = ByteSize(bytes: Int64(ShuffleSettings.defaultMemoryBudget))

    @Option(
        parsing: .unconditional,
        help: "The zstd level of intermediate files, 1-19, -1 to -7 for zstd's faster levels, or 0 for none (as the coordinator's --compression-level).")
    var compressionLevel: Int32 = 1

    @Option(help: "Where to write the job's output (replaced).")
    var output = "/tmp/mr-bench-output"

    @Option(help: "Which runs: local, distributed or both.")
    var mode = "both"

    @Option(help: "Worker processes in the distributed run.")
    var workers = 2

    @Option(help: "Tasks the local run runs at once (default: the number of cores; 1: one after another).")
    var parallel = LocalRunner.defaultParallelism

    @Option(
        help: ArgumentHelp(
            "Task shapes to run distributed over the same input, side by side, e.g. 8x16,256x256: M map tasks (the split size is the input ÷ M) by R reducers; the first is the baseline of the ratios.",
            valueName: "MxR,…"))
    var shapes: String?

    @Option(
        help: ArgumentHelp(
            "With --shapes: another build's mr-coordinator and mr-worker, run at each shape right after this build's, for a before/after table in one invocation.",
            valueName: "directory"))
    var compareWith: String?

    @Flag(
        help: ArgumentHelp(
            "With --shapes: also run each shape's tasks in this process, --workers of them at once on threads (this build only): the same work without a coordinator, HTTP or processes, so the table separates the data path's cost from coordination's."
        ))
    var withLocal = false

    @Flag(help: "Output files are not fsynced (the coordinator's --no-sync; the local run likewise), as GNU sort does not fsync its output.")
    var noSync = false

    func validate() throws {
        guard ["word-count", "sort"].contains(job) else { throw ValidationError("--job must be word-count or sort (got '\(job)')") }
        guard ["local", "distributed", "both"].contains(mode) else { throw ValidationError("--mode must be local, distributed or both (got '\(mode)')") }
        if let shapes, parsedShapes(shapes) == nil {
            throw ValidationError("--shapes must be a comma-separated list of MxR with M and R from 1 to 1000000, e.g. 8x16,256x256 (got '\(shapes)')")
        }
        if withLocal, shapes == nil { throw ValidationError("--with-local goes with --shapes: add --shapes 8x16,256x256 (for example)") }
    }

    /// `8x16,256x256` as `[(8, 16), (256, 256)]`, or `nil` if malformed.
    private func parsedShapes(_ text: String) -> [(maps: Int, reducers: Int)]? {
        var shapes: [(maps: Int, reducers: Int)] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "x")
            guard parts.count == 2, let maps = Int(parts[0]), let reducers = Int(parts[1]), (1...1_000_000).contains(maps), (1...1_000_000).contains(reducers)
            else { return nil }
            shapes.append((maps, reducers))
        }
        return shapes.isEmpty ? nil : shapes
    }

    func run() throws {
        let isSort = job == "sort"
        let corpus = corpus ?? (isSort ? "/tmp/mr-bench-records" : "/tmp/mr-bench-corpus")
        let suffix = isSort ? ".dat" : ".txt"
        var inputs = (try? FileManager.default.contentsOfDirectory(atPath: corpus))?.filter { $0.hasSuffix(suffix) }.sorted().map { "\(corpus)/\($0)" } ?? []
        if inputs.isEmpty {
            print("generating \(mib) MiB corpus in \(corpus) …")
            if isSort {
                inputs = try SortRecords.write(to: corpus, files: files, records: (mib << 20) / SortRecords.recordSize, seed: 42)
            } else {
                inputs = try CorpusGenerator().write(to: corpus, files: files, bytes: Int64(mib) << 20)
            }
        }
        if let shapes = shapes.flatMap(parsedShapes) { return try runShapes(shapes, inputs, directory: corpus) }
        if mode != "distributed" { try runLocal(inputs) }
        if mode != "local" { try runDistributed(inputs) }
    }

    /// Runs the job distributed at each shape over the same input (alternating with `--compare-with`'s build), and
    /// prints a table with ratios to the first shape.
    /// The input is given to the coordinator as `directory`, which holds exactly `inputs` (a list of 100,000 files
    /// does not fit on a command line).
    private func runShapes(_ shapes: [(maps: Int, reducers: Int)], _ inputs: [String], directory corpus: String) throws {
        let builds = [("this build", binaryDirectory)] + (compareWith.map { [("compared", $0)] } ?? [])
        let bytes = Self.size(of: inputs)
        print(
            "| build | M × R | map tasks planned | wall time | ratio to the first shape | coordinator CPU per task | coordinator peak memory |"
                + (withLocal ? " in one process, \(workers) threads | its ratio to the first shape |" : ""))
        print("|---|---|---|---|---|---|---|" + (withLocal ? "---|---|" : ""))
        var baseline: [String: Double] = [:]
        var localBaseline: Double?
        for shape in shapes {
            for (name, directory) in builds {
                let splitSize = max(1, (bytes + Int64(shape.maps) - 1) / Int64(shape.maps))
                // Below 8 map tasks this build's --map-tasks default would cut the input finer; another build may not have it.
                let targetMapTasks = shape.maps < JobConfiguration().targetMapTasks ? shape.maps : nil
                let target = targetMapTasks.map { ["--map-tasks", "\($0)"] } ?? []
                let result = try DistributedRun(
                    binaryDirectory: directory, job: job, workers: workers, reducers: shape.reducers,
                    extraArguments: coordinatorArguments(splitSize: splitSize) + target,
                    work: output + "-distributed"
                )
                .run(inputs: [corpus])
                let words = result.summary.split(separator: " ")
                let planned = words.firstIndex(of: "map").flatMap { words[..<$0].last.map(String.init) } ?? "?"
                let tasks = Double(Int(planned) ?? shape.maps) + Double(shape.reducers)
                let first = baseline[name] ?? result.seconds
                baseline[name] = first
                var local = ""
                if withLocal, directory == binaryDirectory {
                    let directory = output + "-local"
                    try? FileManager.default.removeItem(atPath: directory)
                    let runner = localRunner(reducers: shape.reducers, splitSize: splitSize, targetMapTasks: targetMapTasks, parallelism: workers)
                    let seconds = try runner.run(try JobCatalog.builtIn.job(named: job), inputs: inputs, output: directory).seconds
                    let localFirst = localBaseline ?? seconds
                    localBaseline = localFirst
                    local = String(format: " %.2f s | %.2f× |", seconds, seconds / localFirst)
                } else if withLocal {
                    local = " | |"
                }
                print(
                    String(
                        format: "| %@ | %d × %d | %@ | %.2f s | %.2f× | %.2f ms | %.0f MiB |", name, shape.maps, shape.reducers, planned, result.seconds,
                        result.seconds / first, result.cpuSeconds[0] * 1000 / tasks, result.peaks[0].mebibytes) + local)
            }
        }
    }

    /// A local runner with this benchmark's options, `parallelism` tasks at once; `targetMapTasks`, if given,
    /// replaces the default `--map-tasks`.
    private func localRunner(reducers: Int, splitSize: Int64, targetMapTasks: Int? = nil, parallelism: Int) -> LocalRunner {
        var configuration = JobConfiguration(
            reducers: reducers, splitSize: splitSize, memoryBudget: Int(memoryBudget.bytes), compressionLevel: compressionLevel, syncFiles: !noSync)
        if let targetMapTasks { configuration.targetMapTasks = targetMapTasks }
        return LocalRunner(configuration: configuration, parallelism: parallelism)
    }

    /// The coordinator's flags for this benchmark's options, with `splitSize`.
    private func coordinatorArguments(splitSize: Int64) -> [String] {
        ["--split-size", "\(splitSize)", "--memory-budget", "\(memoryBudget.bytes)", "--compression-level=\(compressionLevel)"] + (noSync ? ["--no-sync"] : [])
    }

    /// Where this `mr-bench` is, beside this build's `mr-coordinator` and `mr-worker`.
    private var binaryDirectory: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// The bytes of `inputs` together.
    private static func size(of inputs: [String]) -> Int64 {
        inputs.reduce(0) { $0 + Int64((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
    }

    private func runDistributed(_ inputs: [String]) throws {
        let result = try DistributedRun(
            binaryDirectory: binaryDirectory, job: job, workers: workers, reducers: reducers,
            extraArguments: coordinatorArguments(splitSize: splitSize.bytes), work: output + "-distributed"
        )
        .run(inputs: inputs)
        let bytes = Double(Self.size(of: inputs))
        let peaks = result.peaks.map { String(format: "%@ %.0f MiB", $0.name, $0.mebibytes) }.joined(separator: ", ")
        print(
            String(
                format: "distributed %@ (%d workers): %.0f MiB in %.2f s = %.1f MiB/s; peak memory: %@",
                job, workers, bytes / Double(1 << 20), result.seconds, bytes / Double(1 << 20) / result.seconds, peaks))
        print("  \(result.summary)")
    }

    private func runLocal(_ inputs: [String]) throws {
        try? FileManager.default.removeItem(atPath: output)
        let runner = localRunner(reducers: reducers, splitSize: splitSize.bytes, parallelism: parallel)
        let report = try runner.run(try JobCatalog.builtIn.job(named: job), inputs: inputs, output: output)
        let mebibytes = Double(report.inputBytes) / Double(1 << 20)
        print(
            String(
                format: "local %@ (--parallel %d): %.0f MiB in %.2f s = %.1f MiB/s, peak memory %.0f MiB (%d map tasks, %d spills, %d output records)",
                job, parallel, mebibytes, report.seconds, mebibytes / report.seconds, peakMemoryMiB(), report.mapTasks, report.spills, report.outputRecords))
    }

    private func peakMemoryMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
