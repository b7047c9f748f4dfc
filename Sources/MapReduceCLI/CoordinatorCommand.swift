import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import MapReduce
import MapReduceRuntime
import Metrics
import Prometheus
import ServiceLifecycle

/// Runs one job across worker processes: plans it, serves tasks over HTTP, re-executes the work of workers that
/// die, and exits when the output is final.
struct CoordinatorCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: CommandContext.commandName("coordinator"),
            abstract: "Coordinate a MapReduce job across worker processes.",
            discussion: """
                Announces its URL on stdout ("\(CommandContext.displayName("coordinator")) listening on http://HOST:PORT") and, with \
                --address-file, as that file's first line. Exit status: 0 when the output is final, 1 when the job failed, 2 when \
                stopped by a signal first, 64 for bad arguments (nothing was started).
                """)
    }

    @OptionGroup var jobOptions: JobOptions
    @Option(help: "The shared directory every worker can read and write.") var sharedDir: String
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
    @OptionGroup var secretOptions: SecretOptions
    @Option(help: "The most connections open at once; more are closed as they arrive.") var maxConnections = CoordinatorServer.defaultMaximumConnections
    @Option(help: "Seconds a connection may stay idle, or take to send a request's headers, before it is closed.")
    var idleTimeout = 10.0
    @Option(help: "Seconds a request may take to arrive whole once its headers have.") var requestTimeout = 30.0
    @Option(help: "Seconds to keep serving the status page and /metrics after the job ends, for a last look or scrape.")
    var linger = 0.0
    @Flag(help: "No progress line on standard error.") var quiet = false
    @OptionGroup var loggingOptions: LoggingOptions

    func validate() throws {
        try Seconds.check(leaseTimeout, "--lease-timeout")
        try Seconds.check(idleTimeout, "--idle-timeout")
        try Seconds.check(requestTimeout, "--request-timeout")
        try Seconds.check(linger, "--linger", zeroAllowed: true, longest: 86_400)
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1 (got \(maxAttempts))") }
        guard maxConnections >= 2 else { throw ValidationError("--max-connections must be at least 2 (got \(maxConnections))") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535 (got \(port)); 0 picks a free one") }
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-certificate and --tls-key go together") }
    }

    func run() async throws {
        let name = CommandContext.displayName("coordinator")
        let secret: String?
        let directory: JobDirectory
        let job: AnyJob
        let server: HTTPServerBuilder
        // What the server needs is checked first: a bad certificate or a taken port refused with the job's files made
        // would be reported as a failed job.
        do {
            server = try CoordinatorServer.http1(
                maximumConnections: maxConnections, idleTimeout: Seconds.duration(idleTimeout),
                requestTimeout: Seconds.duration(requestTimeout),
                tls: tlsCertificate.map { CoordinatorServer.TLSFiles(certificateChain: $0, privateKey: tlsKey ?? "") })
        } catch {
            CommandContext.complain("coordinator", "cannot use the TLS certificate and key: \(error); check --tls-certificate and --tls-key")
            throw ExitCode(ExitStatus.badArguments)
        }
        do {
            try await CoordinatorServer.checkAddress(host: host, port: port)
        } catch {
            CommandContext.complain("coordinator", "cannot listen on \(host) port \(port): \(error); check --host and --port")
            throw ExitCode(ExitStatus.badArguments)
        }
        do {
            secret = try secretOptions.load()
            try checkExposure(secret: secret)
            let resolved = try jobOptions.resolve(in: CommandContext.catalog)
            job = resolved.job
            directory = try JobDirectory.open(
                job, parameters: jobOptions.parameterValues, inputs: resolved.inputs, configuration: resolved.configuration, sharedDirectory: sharedDir,
                output: resolved.output)
        } catch {
            throw ExitStatus.refuse("coordinator", error)
        }
        if let finished = directory.finished {
            // Restarted after the job succeeded (a supervisor restarting it during --linger, say): done, not refused.
            CommandContext.complain("coordinator", "already done: '\(directory.plan.jobOutputDirectory)' holds this job's output (_SUCCESS); nothing to run")
            print(finished.line)
            return
        }
        let plan = directory.plan
        var logger = makeLogger(label: name, level: loggingOptions.logLevel)
        logger[metadataKey: "mr.job"] = "\(plan.job)"
        let metrics = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(DocumentedMetricsFactory(registry: metrics))
        let coordinator: Coordinator
        do {
            coordinator = try Coordinator(
                plan: plan, job: job, journal: try Journal(path: "\(plan.directory)/journal"),
                configuration: .init(
                    leaseTimeout: Seconds.duration(leaseTimeout), maxAttempts: maxAttempts, speculation: !noSpeculation, pollTimeout: .seconds(10),
                    sharedDirectoryToken: try SharedDirectoryToken.write(forJobDirectory: plan.layout.jobDirectory)),
                events: try EventLog(output: OutputDirectory(path: plan.jobOutputDirectory)), logger: logger)
            try plan.checkInputsUnchanged()
            await coordinator.resume()
        } catch {
            throw ExitStatus.refuse("coordinator", error)
        }
        let host = host
        let addressFile = addressFile
        let scheme = tlsCertificate == nil ? "http" : "https"
        let app = Application(
            router: CoordinatorRouter.make(coordinator, secret: secret, metrics: metrics),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: CoordinatorClient.serverName),
            onServerRunning: { channel in
                let url = "\(scheme)://\(host):\(channel.localAddress?.port ?? 0)"
                FileHandle.standardOutput.write(Data("\(name) listening on \(url)\n".utf8))
                if let addressFile { try? AtomicFile.write(Array("\(url)\n".utf8), to: addressFile) }
            },
            logger: logger)
        let watcher = JobWatcher(
            coordinator: coordinator, tick: .milliseconds(Int(max(10, min(250, leaseTimeout * 100)))), linger: .seconds(3),
            serveAfterEnd: Seconds.duration(linger))
        // The progress line ends with the job, which may be while the server still lingers: its end decides nothing.
        let progress = ProgressLine.forStandardError(quiet: quiet).map {
            ServiceGroupConfiguration.ServiceConfiguration(service: ProgressReporter(coordinator: coordinator, line: $0), successTerminationBehavior: .ignore)
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app), .init(service: watcher, successTerminationBehavior: .gracefullyShutdownGroup)] + (progress.map { [$0] } ?? []),
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await coordinator.removeIntermediateData()

        print(await coordinator.summaryLine())
        withExtendedLifetime(directory) {}
        switch await coordinator.outcome {
        case .succeeded: return
        case .failed(let report):
            CommandContext.complain("coordinator", "job failed: \(report)")
            throw ExitCode(ExitStatus.failed)
        case nil:
            CommandContext.complain("coordinator", "stopped by a signal before the job finished")
            throw ExitCode(ExitStatus.stopped)
        }
    }

    /// Refuses to serve off loopback without a shared secret, or without TLS unless told the network is trusted.
    private func checkExposure(secret: String?) throws {
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(host)
        guard loopback || secret != nil else {
            throw ValidationError("binding to \(host) needs a shared secret: pass --secret-file or set MR_SECRET")
        }
        guard loopback || tlsCertificate != nil || insecureHttp else {
            throw ValidationError(
                "binding to \(host) needs TLS, so that workers know they talk to this coordinator and the secret never crosses the network in clear: pass --tls-certificate and --tls-key (or --insecure-http on a network you trust)"
            )
        }
    }
}
