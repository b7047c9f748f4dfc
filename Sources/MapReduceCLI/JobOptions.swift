import ArgumentParser
import Foundation
import MapReduce

/// The flags that say which job to run, over what, into where, and how: shared by `coordinator` and `local`, so
/// both runners read them, check them and turn them into a ``JobConfiguration`` the same way.
struct JobOptions: ParsableArguments {
    @Option(help: "The job to run (see the jobs subcommand).") var job: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("A job parameter, NAME=VALUE (repeatable).", valueName: "name=value"))
    var parameters: [JobParameter] = []
    @Option(help: "The number of reduce partitions (output files).") var reducers = 1
    @Option(help: "The output directory; must not hold earlier output.") var output: String?
    @Option(help: "The most input bytes per map task, e.g. 64MiB.") var splitSize = ByteSize(bytes: 64 << 20)
    @Option(help: "Map tasks to aim for when the input is small: splits shrink to input ÷ N (not below 4 MiB, not above --split-size).")
    var mapTasks = 8
    @Option(help: "Bytes a task buffers before spilling a sorted run, e.g. 64MiB.")
    var memoryBudget = ByteSize(bytes: Int64(ShuffleSettings.defaultMemoryBudget))
    @Option(help: "Records whose map call throws (or that are too long) that the job may skip, listing them in _bad_records.jsonl.")
    var skipBadRecords = 0
    @Option(help: "The longest input record, e.g. 64MiB; a longer one fails its task, or is skipped with --skip-bad-records.")
    var maxRecordSize = ByteSize(bytes: Int64(JobConfiguration.defaultMaximumRecordSize))
    @Option(
        parsing: .unconditional,
        help: "The zstd level of intermediate files: 1-19, -1 to -7 for zstd's faster levels (less CPU, larger files), or 0 to store them uncompressed."
    ) var compressionLevel: Int32 = 1
    @Flag(help: "Skip fsync before publishing output files (faster, not crash-safe; intermediate files are never fsynced).")
    var noSync = false
    @Argument(help: "Input files or directories.") var inputs: [String] = []

    /// The job's configuration.
    var configuration: JobConfiguration {
        JobConfiguration(
            reducers: reducers, splitSize: splitSize.bytes, targetMapTasks: mapTasks, memoryBudget: Int(memoryBudget.bytes), compressionLevel: compressionLevel,
            syncFiles: !noSync, skipBadRecords: skipBadRecords, maximumRecordSize: Int(clamping: maxRecordSize.bytes))
    }

    /// The job's `--param` values by name.
    var parameterValues: [String: String] { JobParameter.values(parameters) }

    /// What the flags name, checked: the job built from `catalog`, the output, the inputs and the configuration.
    /// - Throws: a one-line error naming the flag and what to do.
    func resolve(in catalog: JobCatalog) throws -> (job: AnyJob, output: String, inputs: [String], configuration: JobConfiguration) {
        guard let job else { throw ValidationError("missing --job; choose one of: \(catalog.names.joined(separator: ", "))") }
        let built = try catalog.job(named: job, parameters: parameterValues)
        guard let output else { throw ValidationError("missing --output DIR: the directory to write the job's output to") }
        guard !inputs.isEmpty else { throw ValidationError("no input files were given; name at least one file or directory") }
        try configuration.validate()
        return (built, output, inputs, configuration)
    }
}

/// The logging flag of the long-running roles.
struct LoggingOptions: ParsableArguments {
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
}

/// The flags that give a process the cluster's shared secret.
struct SecretOptions: ParsableArguments {
    @Option(help: "A file holding the cluster's shared secret (or set MR_SECRET).") var secretFile: String?
    @Option(help: "The shared secret itself (visible in ps: prefer --secret-file or MR_SECRET).") var secret: String?

    /// The secret, or `nil` if none was given.
    func load() throws -> String? { try SharedSecret.load(file: secretFile, flag: secret) }
}
