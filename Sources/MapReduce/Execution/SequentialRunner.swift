import Foundation

/// Runs a job in this process, one task after another, over the same code path as a distributed run: splits,
/// map, intermediate files, merge, reduce, output.
///
/// It is the oracle: for deterministic map and reduce functions, every distributed run must write exactly the
/// bytes it writes.
public struct SequentialRunner: Sendable {
    /// How the job is cut up and how its data moves.
    public var configuration: JobConfiguration

    /// Creates a runner.
    public init(configuration: JobConfiguration = JobConfiguration()) { self.configuration = configuration }

    /// Runs `job` over `inputs` (files or directories), writing to the directory `output`.
    ///
    /// Everything is checked before any work: the configuration, that every input exists and is readable, and
    /// that the output directory can be created and holds no earlier output.
    @discardableResult
    public func run(_ job: AnyJob, inputs: [String], output: String) throws -> JobReport {
        let clock = ContinuousClock()
        let start = clock.now
        try configuration.validate()
        let tasks = try SplitPlanner(splitSize: configuration.splitSize).plan(inputs)
        let outputDirectory = OutputDirectory(path: output)
        try outputDirectory.prepare()
        let work = "\(outputDirectory.temporaryDirectory)/shuffle"
        // A run that failed earlier may have left its shuffle files: they are this runner's own, and in the way.
        try? FileManager.default.removeItem(atPath: work)
        var settings = configuration.shuffle
        settings.rangeBoundaries = try KeyRanges.boundaries(for: job, tasks: tasks, partitions: configuration.reducers)

        var report = JobReport(
            job: job.name, mapTasks: tasks.count, reduceTasks: configuration.reducers, inputBytes: 0, inputRecords: 0,
            mapOutputRecords: 0, intermediateRecords: 0, intermediateBytes: 0, outputRecords: 0, outputBytes: 0, spills: 0,
            seconds: 0)
        var mapOutputs: [MapTaskOutput] = []
        for (index, splits) in tasks.enumerated() {
            let context = MapTaskContext(
                task: index, splits: splits, directory: "\(work)/map/\(index)/attempt-0", settings: settings,
                badRecordLimit: configuration.skipBadRecords, maximumRecordSize: configuration.maximumRecordSize)
            let result = try job.runMapTask(context)
            report.inputBytes += result.inputBytes
            report.inputRecords += result.inputRecords
            report.mapOutputRecords += result.emittedRecords
            report.intermediateRecords += result.files.reduce(0) { $0 + $1.records }
            report.intermediateBytes += result.files.reduce(0) { $0 + $1.bytes }
            report.spills += result.spills
            report.counters.add(result.counters)
            report.skippedRecords += result.skippedRecords
            mapOutputs.append(result)
        }
        if report.skippedRecords > configuration.skipBadRecords {
            throw BadRecordsFile.tooMany(report.skippedRecords, limit: configuration.skipBadRecords)
        }
        for partition in 0..<configuration.reducers {
            let context = ReduceTaskContext(
                partition: partition, inputs: mapOutputs.map { $0.files[partition].path },
                outputPath: outputDirectory.partFile(partition), scratchDirectory: "\(work)/reduce/\(partition)/attempt-0",
                settings: settings)
            let result = try job.runReduceTask(context)
            report.outputRecords += result.records
            report.outputBytes += result.bytes
            report.counters.add(result.counters)
        }
        try BadRecordsFile.publish(mapOutputs.compactMap(\.badRecords), to: outputDirectory)
        try outputDirectory.markSuccess()
        report.seconds = (clock.now - start).seconds
        return report
    }

    /// Runs `job` over `inputs`, writing to the directory `output`.
    @discardableResult
    public func run<Key, Value>(_ job: Job<Key, Value>, inputs: [String], output: String) throws -> JobReport {
        try run(AnyJob(job), inputs: inputs, output: output)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
