import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import MapReduce
import MapReduceRuntime
import ServiceLifecycle

/// Runs tasks for a coordinator until the job is over.
struct WorkerCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: CommandContext.commandName("worker"),
            abstract: "Run map and reduce tasks for a coordinator (a build of the same program: it sends job names, never code).",
            discussion: """
                Exit status: 0 when the coordinator says the job is over, 1 when the coordinator stayed unreachable for \
                the grace period or refused the worker, or the shared directory became unusable, 2 when stopped by \
                SIGTERM or SIGINT (its running task is handed back to the coordinator first), 64 for bad arguments.
                """)
    }

    @Option(help: "The coordinator's URL, e.g. http://127.0.0.1:8080.") var coordinator: String
    @Option(help: "The shared directory, at the same path as the coordinator's --shared-dir (or set MR_SHARED_DIR); the worker writes nowhere else.")
    var sharedDir: String?
    @Option(help: "Seconds to keep retrying an unreachable coordinator before exiting.") var gracePeriod = 30.0
    @OptionGroup var secretOptions: SecretOptions
    @Option(help: "A PEM file of the certificates to trust for an https:// coordinator: the cluster's CA, or the coordinator's own certificate to pin it.")
    var tlsCa: String?
    @OptionGroup var loggingOptions: LoggingOptions

    func validate() throws {
        guard coordinator.hasPrefix("http://") || coordinator.hasPrefix("https://") else {
            throw ValidationError("--coordinator must be an http:// or https:// URL (got '\(coordinator)')")
        }
        try Seconds.check(gracePeriod, "--grace-period")
        guard (tlsCa != nil) == coordinator.hasPrefix("https://") else {
            throw ValidationError("an https:// coordinator needs --tls-ca (the certificates to trust), and only an https:// one takes it")
        }
        guard sharedDir ?? ProcessInfo.processInfo.environment["MR_SHARED_DIR"] != nil else {
            throw ValidationError("missing --shared-dir (or MR_SHARED_DIR): the shared directory, at the same path as the coordinator's")
        }
    }

    func run() async throws {
        let logger = makeLogger(label: CommandContext.displayName("worker"), level: loggingOptions.logLevel)
        let worker: Worker
        var ownClient: HTTPClient?
        do {
            let secret = try secretOptions.load()
            let shared = sharedDir ?? ProcessInfo.processInfo.environment["MR_SHARED_DIR"] ?? ""
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: shared, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("shared directory '\(shared)' does not exist here; mount it at the coordinator's path")
            }
            try SharedDirectoryCheck.verify(shared, role: "worker")
            let http: HTTPClient
            do {
                ownClient = try tlsCa.map { try CoordinatorClient.httpClient(trusting: $0) }
                http = ownClient ?? CoordinatorClient.httpClient
            } catch {
                throw ValidationError("--tls-ca '\(tlsCa ?? "")' cannot be loaded (\(error)); give a PEM file of certificates")
            }
            worker = try Worker(
                name: Worker.defaultName(), catalog: CommandContext.catalog, client: CoordinatorClient(baseURL: coordinator, client: http, bearer: secret),
                sharedDirectory: shared,
                gracePeriod: Seconds.duration(gracePeriod), logger: logger)
        } catch {
            throw ExitStatus.refuse("worker", error)
        }
        let service = WorkerService(worker: worker, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            try? await ownClient?.shutdown()
            CommandContext.complain("worker", "\(error)")
            throw ExitCode(ExitStatus.failed)
        }
        try? await ownClient?.shutdown()
    }
}

/// The worker loop as a service: on SIGTERM or SIGINT it tells the coordinator it is stopping (for at most 2 s,
/// so that its task runs again elsewhere at once) and exits with status 2: stopped, not finished, so a supervisor
/// (Kubernetes, Slurm, systemd) that restarts failed workers replaces it. Exiting at any instant is safe: an
/// unfinished attempt's files are under temporary names, and the coordinator re-runs its task.
struct WorkerService: Service {
    let worker: Worker
    let logger: Logger

    func run() async throws {
        _ = try await withGracefulShutdownHandler {
            try await worker.run()
        } onGracefulShutdown: {
            logger.info("signal received; handing back the running task and exiting", metadata: ["mr.worker": "\(worker.name)"])
            Task {
                await worker.leave(timeout: .seconds(2))
                exit(ExitStatus.stopped)
            }
        }
    }
}
