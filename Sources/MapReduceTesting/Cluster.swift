import Foundation

/// A coordinator and its workers as real processes, for integration tests: builds the command lines, finds the
/// executables beside the test binary, and reaps every process when released.
public final class Cluster: @unchecked Sendable {
    /// The temporary directory holding the shared directory, the output and the logs.
    public let directory: TemporaryDirectory
    /// The coordinator.
    public private(set) var coordinator: ChildProcess!
    /// The coordinator's URL, once it announced it.
    public private(set) var url = ""
    private var coordinatorStarts = 0
    /// The shared directory the last coordinator was started with, which workers are given.
    private var coordinatorShared: String?
    /// Every worker started, in order.
    public private(set) var workers: [ChildProcess] = []
    /// The output directory.
    public var output: String { directory.appending("output") }
    /// The shared directory.
    public var shared: String { directory.appending("shared") }

    /// The folder holding the package's executables: `MR_BIN_DIR`, or the test binary's folder.
    public static var binaryDirectory: String {
        if let configured = ProcessInfo.processInfo.environment["MR_BIN_DIR"] { return configured }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/", !FileManager.default.fileExists(atPath: url.appendingPathComponent("mr-coordinator").path) {
            url.deleteLastPathComponent()
        }
        return url.path
    }

    /// Creates an empty cluster in a new temporary directory.
    public init() throws { directory = try TemporaryDirectory(prefix: "mapreduce-cluster") }

    /// Starts the coordinator for `job` over `inputs` on `port` (0: any free one) and waits for its URL. Calling
    /// it again starts a new coordinator (after the last one died) with its own log.
    /// - Parameters:
    ///   - shared: the shared directory (by default ``shared``); `output` likewise.
    ///   - workingDirectory: the coordinator's working directory (by default, this process's).
    public func startCoordinator(
        job: String, reducers: Int, inputs: [String], extra: [String] = [], port: Int = 0, environment: [String: String] = [:],
        shared: String? = nil, output: String? = nil, workingDirectory: String? = nil
    ) throws {
        coordinatorStarts += 1
        coordinatorShared = shared ?? self.shared
        coordinator = try ChildProcess(
            "\(Self.binaryDirectory)/mr-coordinator",
            ["--job", job, "--reducers", "\(reducers)", "--shared-dir", shared ?? self.shared, "--output", output ?? self.output, "--port", "\(port)"]
                + extra + inputs,
            environment: environment, workingDirectory: workingDirectory,
            errorLog: directory.appending(coordinatorStarts == 1 ? "coordinator.log" : "coordinator-\(coordinatorStarts).log"))
        let line = try coordinator.waitForLine(containing: "listening on", timeout: .seconds(30))
        url = String(line.split(separator: " ").last!)
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
        let arguments = ["--coordinator", url] + (extra.contains("--shared-dir") ? [] : ["--shared-dir", coordinatorShared ?? shared]) + extra
        var (executable, command) = namespace?.wrap("\(Self.binaryDirectory)/mr-worker", arguments) ?? ("\(Self.binaryDirectory)/mr-worker", arguments)
        if let wrapper { (executable, command) = wrapper(executable, command) }
        let worker = try ChildProcess(
            executable, command, environment: environment, workingDirectory: workingDirectory, errorLog: directory.appending("worker-\(workers.count).log"))
        workers.append(worker)
        return worker
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
