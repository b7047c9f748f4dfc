import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdCore
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
    @Option(help: "The address to bind; anything but loopback needs a shared secret and TLS.") var host = "127.0.0.1"
    @Option(help: "The PEM certificate chain to serve TLS with (with --tls-key).") var tlsCertificate: String?
    @Option(help: "The PEM private key of --tls-certificate.") var tlsKey: String?
    @Flag(help: "Serve plain HTTP off loopback anyway (only on a network you trust: the secret and credentials cross it in clear).")
    var insecureHttp = false
    @Option(help: "The port to bind; 0 picks a free one.") var port = 0
    @Option(help: "A file to write the coordinator's URL to, once listening.") var addressFile: String?
    @Option(help: "Seconds a worker may stay silent before its tasks go to others.") var leaseTimeout = 10.0
    @Option(help: "Failed attempts of one task before the job fails.") var maxAttempts = 4
    @Flag(help: "Never start backup attempts of straggling tasks.") var noSpeculation = false
    @Option(help: "The most input bytes per map task, e.g. 64MiB.") var splitSize = ByteSize(bytes: 64 << 20)
    @Option(help: "Bytes a task buffers before spilling a sorted run, e.g. 64MiB.") var memoryBudget = ByteSize(bytes: 64 << 20)
    @Option(help: "Records whose map call throws (or that are too long) that the job may skip, listing them in _bad_records.jsonl.")
    var skipBadRecords = 0
    @Option(help: "The longest input record, e.g. 64MiB; a longer one fails its task, or is skipped with --skip-bad-records.")
    var maxRecordSize = ByteSize(bytes: Int64(JobConfiguration.defaultMaximumRecordSize))

    @Option(help: "The zstd level of intermediate files (1-19).") var compressionLevel: Int32 = 1
    @Option(help: "A file holding the cluster's shared secret, which workers need to register (or set MR_SECRET).") var secretFile: String?
    @Option(help: "The shared secret itself (visible in ps: prefer --secret-file or MR_SECRET).") var secret: String?
    @Option(help: "The most connections open at once; more are closed as they arrive.") var maxConnections = CoordinatorServer.defaultMaximumConnections
    @Option(help: "Seconds a connection may stay idle, or take to send a request's headers, before it is closed.")
    var idleTimeout = 10.0
    @Option(help: "Seconds a request may take to arrive whole once its headers have.") var requestTimeout = 30.0
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
    @Argument(help: "Input files or directories.") var inputs: [String] = []

    func run() async throws {
        let secret: String?
        do {
            secret = try SharedSecret.load(file: secretFile, flag: self.secret)
        } catch {
            FileHandle.standardError.write(Data("mr-coordinator: \(error)\n".utf8))
            throw ExitCode(64)
        }
        let configuration = JobConfiguration(
            reducers: reducers, splitSize: splitSize.bytes, memoryBudget: Int(memoryBudget.bytes), compressionLevel: compressionLevel,
            skipBadRecords: skipBadRecords, maximumRecordSize: Int(clamping: maxRecordSize.bytes))
        let plan: JobPlan
        let locks: [ExclusiveLock]
        do {
            (plan, locks) = try makePlan(configuration, secret: secret)
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
            try plan.checkInputsUnchanged()
            await coordinator.resume()
        } catch {
            FileHandle.standardError.write(Data("mr-coordinator: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let host = host
        let addressFile = addressFile
        let server: HTTPServerBuilder
        do {
            server = try CoordinatorServer.http1(
                maximumConnections: maxConnections, idleTimeout: .milliseconds(Int(idleTimeout * 1000)),
                requestTimeout: .milliseconds(Int(requestTimeout * 1000)),
                tls: tlsCertificate.map { CoordinatorServer.TLSFiles(certificateChain: $0, privateKey: tlsKey ?? "") })
        } catch {
            FileHandle.standardError.write(
                Data("mr-coordinator: cannot load the TLS certificate or key: \(error); check --tls-certificate and --tls-key\n".utf8))
            throw ExitCode(64)
        }
        let scheme = tlsCertificate == nil ? "http" : "https"
        let app = Application(
            router: CoordinatorRouter.make(coordinator, secret: secret),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "mr-coordinator"),
            onServerRunning: { channel in
                let url = "\(scheme)://\(host):\(channel.localAddress?.port ?? 0)"
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

        print(await coordinator.summaryLine())
        withExtendedLifetime(locks) {}
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

    /// Checks every argument, takes the job's and the output's locks, and writes the job's plan (or reads the
    /// plan of the job being resumed); throws a one-line error before anything starts.
    func makePlan(_ configuration: JobConfiguration, secret: String?) throws -> (JobPlan, [ExclusiveLock]) {
        let parameters = JobParameter.values(parameters)
        let builtJob = try catalog.job(named: job, parameters: parameters)
        try configuration.validate()
        guard leaseTimeout > 0, maxAttempts >= 1 else { throw ValidationError("--lease-timeout must be positive and --max-attempts at least 1") }
        guard maxConnections >= 2, idleTimeout > 0, requestTimeout > 0 else {
            throw ValidationError("--max-connections must be at least 2, and --idle-timeout and --request-timeout positive")
        }
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(host)
        guard loopback || secret != nil else {
            throw ValidationError("binding to \(host) needs a shared secret: pass --secret-file or set MR_SECRET")
        }
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-certificate and --tls-key go together") }
        guard loopback || tlsCertificate != nil || insecureHttp else {
            throw ValidationError(
                "binding to \(host) needs TLS, so that workers know they talk to this coordinator and the secret never crosses the network in clear: pass --tls-certificate and --tls-key (or --insecure-http on a network you trust)"
            )
        }
        let tasks = try SplitPlanner(splitSize: configuration.splitSize).plan(inputs)
        let manager = FileManager.default
        do { try manager.createDirectory(atPath: sharedDir, withIntermediateDirectories: true) } catch {
            throw ValidationError("shared directory '\(sharedDir)' cannot be created: \(error.localizedDescription)")
        }
        guard manager.isWritableFile(atPath: sharedDir) else { throw ValidationError("shared directory '\(sharedDir)' is not writable") }
        // Canonical paths: `out`, `./out` and `out/` are one output, and so one job.
        let outputDirectory = try canonicalOutput()
        let outputPath = outputDirectory.path
        // The job's directory is named after its output, so a coordinator restarted with the same arguments finds
        // the journal of the one that died and resumes.
        let id = "\(job)-\(String(XXHash64.hash(Array(outputPath.utf8)), radix: 16))"
        guard let shared = CanonicalPath.of(sharedDir) else { throw ValidationError("shared directory '\(sharedDir)' cannot be resolved") }
        let directory = shared + "/jobs/\(id)"
        let locks = try lock(directory: directory, output: outputDirectory)
        let boundaries = try KeyRanges.boundaries(for: builtJob, tasks: tasks, partitions: configuration.reducers)
        let plan = JobPlan(
            job: job, parameters: parameters, mapTasks: tasks, configuration: configuration, directory: directory, output: outputPath,
            rangeBoundaries: boundaries)
        if manager.fileExists(atPath: "\(plan.directory)/journal"), let previous = try JobPlan.read(from: plan.directory) {
            guard previous.job == plan.job, previous.parameters == plan.parameters, previous.configuration == plan.configuration,
                previous.rangeBoundaries == plan.rangeBoundaries, previous.mapTasks.map({ $0.map(\.file.path) }) == plan.mapTasks.map({ $0.map(\.file.path) })
            else {
                throw ValidationError(
                    "shared directory '\(plan.directory)' holds a different job for output '\(outputPath)'; remove it or choose another output")
            }
            // The previous plan's fingerprints are what the committed tasks read: the inputs are checked against them.
            let committed = try Journal(path: "\(plan.directory)/journal").entries.filter { $0.entry.event == .reduceCommitted }.compactMap(\.entry.task)
            for partition in committed where !manager.fileExists(atPath: outputDirectory.partFile(partition)) {
                throw ValidationError(
                    "'\(plan.directory)' records \(outputDirectory.partFileName(partition)) as done, but it is not in '\(outputPath)'; remove '\(plan.directory)' to start over"
                )
            }
            try outputDirectory.prepare(resuming: true)
            return (previous, locks)
        }
        try outputDirectory.prepare()
        try plan.write()
        return (plan, locks)
    }

    /// The output directory at its canonical path (made absolute, symbolic links and `.`/`..` resolved, no
    /// trailing slash), created if need be.
    private func canonicalOutput() throws -> OutputDirectory {
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("output directory '\(output)' cannot be created: \(error.localizedDescription)")
        }
        guard let path = CanonicalPath.of(output) else { throw ValidationError("output directory '\(output)' cannot be resolved") }
        return OutputDirectory(path: path)
    }

    /// Takes the exclusive locks on the job's directory and on the output, refusing (exit 64) when another
    /// coordinator holds either, and naming it.
    private func lock(directory: String, output: OutputDirectory) throws -> [ExclusiveLock] {
        let manager = FileManager.default
        guard !manager.fileExists(atPath: output.successMarker) else {
            throw ValidationError("output directory '\(output.path)' already holds a job's output; remove it or choose another")
        }
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try manager.createDirectory(atPath: output.temporaryDirectory, withIntermediateDirectories: true)
            return [
                try ExclusiveLock(path: "\(directory)/coordinator.lock", owner: "mr-coordinator"),
                try ExclusiveLock(path: output.lockFile, owner: "mr-coordinator"),
            ]
        } catch let held as ExclusiveLock.Held {
            throw ValidationError("another coordinator is running this job or writing this output: \(held); stop it first, or choose another output")
        }
    }
}
