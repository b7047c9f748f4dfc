import ArgumentParser
import Foundation
import Hummingbird
import Jobs
import Logging
import MapReduce
import MapReduceCLI
import MapReduceRuntime
import ServiceLifecycle

/// Runs one job across worker processes: plans it, serves tasks over HTTP, re-executes the work of workers that
/// die, and exits when the output is final.
@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mr-coordinator",
        abstract: "Coordinate a MapReduce job across mr-worker processes.",
        discussion: """
            Announces its URL on stdout ("mr-coordinator listening on http://HOST:PORT") and, with --address-file, \
            as that file's first line. Exit status: 0 when the output is final, 1 when the job failed, 2 when stopped \
            by a signal first, 64 for bad arguments (nothing was started).
            """)

    @Option(help: "The catalog job to run.") var job: String
    @Option(name: .customLong("param"), help: ArgumentHelp("A job parameter, NAME=VALUE (repeatable).", valueName: "name=value"))
    var parameters: [JobParameter] = []
    @Option(help: "The number of reduce partitions (output files).") var reducers = 1
    @Option(help: "The shared directory every worker can read and write.") var sharedDir: String
    @Option(help: "The output directory; must not hold earlier output.") var output: String
    @Option(help: "The address to bind; anything but loopback needs --secret.") var host = "127.0.0.1"
    @Option(help: "The port to bind; 0 picks a free one.") var port = 0
    @Option(help: "A file to write the coordinator's URL to, once listening.") var addressFile: String?
    @Option(help: "Seconds a worker may stay silent before its tasks go to others.") var leaseTimeout = 10.0
    @Option(help: "Failed attempts of one task before the job fails.") var maxAttempts = 4
    @Flag(help: "Never start backup attempts of straggling tasks.") var noSpeculation = false
    @Option(help: "The most input bytes per map task, e.g. 64MiB.") var splitSize = ByteSize(bytes: 64 << 20)
    @Option(help: "Bytes a task buffers before spilling a sorted run, e.g. 64MiB.") var memoryBudget = ByteSize(bytes: 64 << 20)
    @Option(help: "Records whose map call throws that the job may skip, listing them in _bad_records.jsonl.")
    var skipBadRecords = 0

    @Option(help: "The zstd level of intermediate files (1-19).") var compressionLevel: Int32 = 1
    @Option(help: "A secret every request must carry (or set MR_SECRET).") var secret: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
    @Argument(help: "Input files or directories.") var inputs: [String] = []

    func run() async throws {
        let secret = secret ?? ProcessInfo.processInfo.environment["MR_SECRET"]
        let configuration = JobConfiguration(
            reducers: reducers, splitSize: splitSize.bytes, memoryBudget: Int(memoryBudget.bytes), compressionLevel: compressionLevel,
            skipBadRecords: skipBadRecords)
        let plan: JobPlan
        do {
            plan = try makePlan(configuration, secret: secret)
        } catch {
            FileHandle.standardError.write(Data("mr-coordinator: \(error)\n".utf8))
            throw ExitCode(64)
        }
        var logger = makeLogger(label: "mr-coordinator", level: logLevel)
        logger[metadataKey: "mr.job"] = "\(job)"
        let coordinator: Coordinator
        do {
            coordinator = try Coordinator(
                plan: plan, journal: try Journal(path: "\(plan.directory)/journal"), leaseTimeout: .milliseconds(Int(leaseTimeout * 1000)),
                maxAttempts: maxAttempts, speculation: !noSpeculation, pollTimeout: .seconds(10), logger: logger)
            try await coordinator.resume()
        } catch {
            FileHandle.standardError.write(Data("mr-coordinator: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let host = host
        let addressFile = addressFile
        let app = Application(
            router: CoordinatorRouter.make(coordinator, secret: secret),
            configuration: .init(address: .hostname(host, port: port), serverName: "mr-coordinator"),
            onServerRunning: { channel in
                let url = "http://\(host):\(channel.localAddress?.port ?? 0)"
                FileHandle.standardOutput.write(Data("mr-coordinator listening on \(url)\n".utf8))
                if let addressFile { try? Data("\(url)\n".utf8).write(to: URL(fileURLWithPath: addressFile), options: .atomic) }
            },
            logger: logger)
        let watcher = JobWatcher(coordinator: coordinator, tick: .milliseconds(Int(max(10, min(250, leaseTimeout * 100)))), linger: .seconds(3))
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app), .init(service: watcher, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()

        print(await coordinator.summary())
        switch await coordinator.outcome {
        case .succeeded: return
        case .failed(let report):
            FileHandle.standardError.write(Data("mr-coordinator: job failed: \(report)\n".utf8))
            throw ExitCode.failure
        case nil:
            FileHandle.standardError.write(Data("mr-coordinator: stopped by a signal before the job finished\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Checks every argument and writes the job's plan; throws a one-line error before anything starts.
    func makePlan(_ configuration: JobConfiguration, secret: String?) throws -> JobPlan {
        let parameters = JobParameter.values(parameters)
        let builtJob = try catalog.job(named: job, parameters: parameters)
        try configuration.validate()
        guard leaseTimeout > 0, maxAttempts >= 1 else { throw ValidationError("--lease-timeout must be positive and --max-attempts at least 1") }
        guard ["127.0.0.1", "localhost", "::1"].contains(host) || secret != nil else {
            throw ValidationError("binding to \(host) needs a shared secret: pass --secret or set MR_SECRET")
        }
        let tasks = try SplitPlanner(splitSize: configuration.splitSize).plan(inputs)
        let manager = FileManager.default
        do { try manager.createDirectory(atPath: sharedDir, withIntermediateDirectories: true) } catch {
            throw ValidationError("shared directory '\(sharedDir)' cannot be created: \(error.localizedDescription)")
        }
        guard manager.isWritableFile(atPath: sharedDir) else { throw ValidationError("shared directory '\(sharedDir)' is not writable") }
        // The job's directory is named after its output, so a coordinator restarted with the same arguments finds
        // the journal of the one that died and resumes.
        let outputPath = absolute(output)
        let id = "\(job)-\(String(XXHash64.hash(Array(outputPath.utf8)), radix: 16))"
        let boundaries = try KeyRanges.boundaries(for: builtJob, tasks: tasks, partitions: configuration.reducers)
        let plan = JobPlan(
            job: job, parameters: parameters, mapTasks: tasks, configuration: configuration, directory: absolute("\(sharedDir)/jobs/\(id)"),
            output: outputPath, rangeBoundaries: boundaries)
        if let previous = try JobPlan.read(from: plan.directory), manager.fileExists(atPath: "\(plan.directory)/journal") {
            guard previous == plan else {
                throw ValidationError("shared directory '\(plan.directory)' holds a different job for output '\(output)'; remove it or choose another output")
            }
            let committed = try Journal.read(path: "\(plan.directory)/journal").filter { $0.event == .reduceCommitted }.compactMap(\.task)
            let outputDirectory = OutputDirectory(path: outputPath)
            for partition in committed where !manager.fileExists(atPath: outputDirectory.partFile(partition)) {
                throw ValidationError(
                    "'\(plan.directory)' records \(outputDirectory.partFileName(partition)) as done, but it is not in '\(output)'; remove '\(plan.directory)' to start over"
                )
            }
            try outputDirectory.prepare(resuming: true)
            return previous
        }
        try OutputDirectory(path: outputPath).prepare()
        try plan.write()
        return plan
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
