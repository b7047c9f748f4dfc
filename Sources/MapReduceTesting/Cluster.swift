import Foundation
import Synchronization
public import MapReduce

/// How to start a coordinator and a worker: the command each runs, before its flags.
public struct ClusterProgram: Sendable {
    /// The coordinator's executable and its leading arguments (its subcommand).
    public var coordinator: [String]
    /// The worker's executable and its leading arguments (its subcommand).
    public var worker: [String]

    /// Creates a program from its two commands.
    public init(coordinator: [String], worker: [String]) {
        self.coordinator = coordinator
        self.worker = worker
    }

    /// One executable built with ``MapReduceCommand``-style subcommands: `<executable> coordinator …` and
    /// `<executable> worker …`. A bare name is looked up in ``Cluster/binaryDirectory``.
    public static func subcommands(of executable: String) -> ClusterProgram {
        let path = executable.contains("/") ? executable : "\(Cluster.binaryDirectory)/\(executable)"
        return ClusterProgram(coordinator: [path, "coordinator"], worker: [path, "worker"])
    }

    /// This repository's `mr-coordinator` and `mr-worker`, over its built-in jobs.
    public static var builtIn: ClusterProgram {
        ClusterProgram(coordinator: ["\(Cluster.binaryDirectory)/mr-coordinator"], worker: ["\(Cluster.binaryDirectory)/mr-worker"])
    }
}

/// A coordinator and its workers as real processes, for integration tests of your own jobs: builds the command
/// lines, starts any program (your own executable's `coordinator` and `worker` subcommands, or separate
/// executables), waits for the coordinator's address, and reaps every process when released.
///
/// ```swift
/// let cluster = try Cluster(.subcommands(of: "my-jobs"))
/// try cluster.startCoordinator(job: "sessionize", reducers: 2, inputs: [logs])
/// try cluster.startWorker()
/// try cluster.startWorker()
/// #expect(try cluster.coordinator.waitForExit(timeout: .seconds(60)) == 0, "\(cluster.logs)")
/// #expect(try cluster.firstDifference(fromOracle: sessionize, inputs: [logs], configuration: .init(reducers: 2)) == nil)
/// ```
///
/// Fault helpers: ``killWorker(_:whenRunning:timeout:)`` kills a worker in the middle of a task, and
/// ``restartCoordinator(job:reducers:inputs:extra:)`` kills the coordinator and starts it again on the same port.
public final class Cluster: Sendable {
    /// What the cluster runs.
    public let program: ClusterProgram
    /// The temporary directory holding the shared directory, the output and the logs.
    public let directory: TemporaryDirectory
    /// What the cluster started, behind a lock: tests may start and inspect processes from several tasks.
    private let state = Mutex(State())

    private struct State {
        var coordinator: ChildProcess?
        var url = ""
        var coordinatorStarts = 0
        /// The shared directory the last coordinator was started with, which workers are given.
        var coordinatorShared: String?
        var workers: [ChildProcess] = []
        var workerStarts = 0
    }

    /// The coordinator last started (``startCoordinator(job:reducers:inputs:extra:port:environment:shared:output:workingDirectory:)`` first).
    public var coordinator: ChildProcess {
        guard let coordinator = state.withLock({ $0.coordinator }) else { preconditionFailure("no coordinator was started: call startCoordinator first") }
        return coordinator
    }
    /// The coordinator's URL, once it announced it.
    public var url: String { state.withLock { $0.url } }
    /// Every worker started, in order.
    public var workers: [ChildProcess] { state.withLock { $0.workers } }
    /// The output directory.
    public var output: String { directory.appending("output") }
    /// The shared directory.
    public var shared: String { directory.appending("shared") }

    /// The folder holding the package's executables: `MR_BIN_DIR`, or the build folder the test binary is in
    /// (`.build/debug`: the nearest folder up from it that holds the package's `.swiftmodule`s).
    public static var binaryDirectory: String {
        if let configured = ProcessInfo.processInfo.environment["MR_BIN_DIR"] { return configured }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/", !FileManager.default.fileExists(atPath: url.appendingPathComponent("Modules").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }

    /// Creates an empty cluster running `program`, in a new temporary directory.
    public init(_ program: ClusterProgram = .builtIn) throws {
        self.program = program
        directory = try TemporaryDirectory(prefix: "mapreduce-cluster")
    }

    /// Starts the coordinator for `job` over `inputs` on `port` (0: any free one) and waits for its URL. Calling
    /// it again starts a new coordinator (after the last one died) with its own log.
    /// - Parameters:
    ///   - shared: the shared directory (by default ``shared``); `output` likewise.
    ///   - workingDirectory: the coordinator's working directory (by default, this process's).
    public func startCoordinator(
        job: String, reducers: Int, inputs: [String], extra: [String] = [], port: Int = 0, environment: [String: String] = [:],
        shared: String? = nil, output: String? = nil, workingDirectory: String? = nil
    ) throws {
        let starts = state.withLock { state in
            state.coordinatorStarts += 1
            state.coordinatorShared = shared ?? self.shared
            return state.coordinatorStarts
        }
        let coordinator = try ChildProcess(
            program.coordinator[0],
            Array(program.coordinator.dropFirst()) + [
                "--job", job, "--reducers", "\(reducers)", "--shared-dir", shared ?? self.shared, "--output", output ?? self.output, "--port", "\(port)",
            ]
                + extra + inputs,
            environment: environment, workingDirectory: workingDirectory,
            errorLog: directory.appending(starts == 1 ? "coordinator.log" : "coordinator-\(starts).log"))
        state.withLock { $0.coordinator = coordinator }
        let line = try coordinator.waitForLine(containing: "listening on", timeout: .seconds(30))
        state.withLock { $0.url = String(line.split(separator: " ").last ?? "") }
    }

    /// Starts a worker of the running coordinator (given the coordinator's shared directory unless `extra` names one),
    /// inside `namespace` if given.
    /// - Parameters:
    ///   - wrapper: turns the worker's executable and arguments into the command to run (for example, inside its
    ///     own mount namespace).
    ///   - workingDirectory: the worker's working directory (by default, this process's).
    @discardableResult
    public func startWorker(
        environment: [String: String] = [:], extra: [String] = [], in namespace: NetworkNamespace? = nil,
        wrapper: ((String, [String]) -> (String, [String]))? = nil, workingDirectory: String? = nil
    ) throws -> ChildProcess {
        let (shared, index) = state.withLock { state in
            state.workerStarts += 1
            return (state.coordinatorShared ?? self.shared, state.workerStarts - 1)
        }
        let arguments = Array(program.worker.dropFirst()) + ["--coordinator", url] + (extra.contains("--shared-dir") ? [] : ["--shared-dir", shared]) + extra
        var (executable, command) = namespace?.wrap(program.worker[0], arguments) ?? (program.worker[0], arguments)
        if let wrapper { (executable, command) = wrapper(executable, command) }
        let worker = try ChildProcess(
            executable, command, environment: environment, workingDirectory: workingDirectory, errorLog: directory.appending("worker-\(index).log"))
        state.withLock { $0.workers.append(worker) }
        return worker
    }

    /// Kills `worker` with SIGKILL once it has started an attempt of a `kind` task (`"map"` or `"reduce"`; any
    /// task if `nil`), as a machine dying mid-task would, and waits for it to exit.
    /// - Throws: ``ChildProcess/TimedOut`` if it starts no such attempt within `timeout`.
    public func killWorker(_ worker: ChildProcess, whenRunning kind: String? = nil, timeout: Duration = .seconds(60)) throws {
        try ChildProcess.waitUntil("\(worker.name) to start \(kind.map { "a \($0) attempt" } ?? "an attempt")", timeout: timeout) {
            worker.standardError.split(separator: "\n").contains { line in
                line.contains("attempt started") && (kind.map { line.contains("mr.task=\($0) ") } ?? true)
            } ? true : nil
        }
        worker.send(SIGKILL)
        try worker.waitForExit(timeout: .seconds(10))
    }

    /// Kills the coordinator with SIGKILL and starts it again with the same arguments on the same port, as a
    /// coordinator host rebooting would: it resumes from its journal, and running workers carry on with it.
    /// - Parameters: the arguments the coordinator was first started with (see ``startCoordinator(job:reducers:inputs:extra:port:environment:shared:output:workingDirectory:)``).
    public func restartCoordinator(job: String, reducers: Int, inputs: [String], extra: [String] = []) throws {
        let port = Int(url.split(separator: ":").last ?? "") ?? 0
        coordinator.send(SIGKILL)
        try coordinator.waitForExit(timeout: .seconds(10))
        try startCoordinator(job: job, reducers: reducers, inputs: inputs, extra: extra, port: port, shared: state.withLock { $0.coordinatorShared })
    }

    /// The first difference between the cluster's output and what the ``SequentialRunner`` (the oracle) writes for
    /// `job` over `inputs` with `configuration`, or `nil` if they hold the same files with the same bytes.
    public func firstDifference(fromOracle job: AnyJob, inputs: [String], configuration: JobConfiguration) throws -> String? {
        try JobOutput(directory: output).firstDifference(from: JobOutput.oracle(job, inputs: inputs, configuration: configuration))
    }

    /// A TCP port on loopback that was free a moment ago, for a coordinator that must come back on the same one.
    public static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw ChildProcess.TimedOut(what: "a free port (bind failed)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Every log, for a failing test's message.
    public var logs: String {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".log") }.sorted()
        return names.map { "== \($0)\n" + ((try? String(contentsOfFile: directory.appending($0), encoding: .utf8)) ?? "") }.joined(separator: "\n")
    }
}
