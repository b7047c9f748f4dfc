import Foundation
import Synchronization

/// A child process for integration tests: started with its standard output captured, waited on with deadlines,
/// and never left running: one still running when released is killed with SIGKILL and waited for (Foundation
/// reaps it).
public final class ChildProcess: Sendable {
    /// The program's name, for messages.
    public let name: String
    private let process: Process
    private let output = CapturedOutput()
    /// Where standard error goes, for diagnosing failures.
    public let errorLog: String

    /// Something did not happen before its deadline.
    public struct TimedOut: Error, CustomStringConvertible {
        /// What was awaited.
        public let what: String
        public var description: String { "timed out waiting for \(what)" }
    }

    /// Starts `executable` with `arguments`; `environment` entries are added to this process's environment.
    /// - Parameter workingDirectory: the child's working directory (by default, this process's).
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil, errorLog: String
    ) throws {
        name = (executable as NSString).lastPathComponent
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorLog))
        self.errorLog = errorLog
        try process.run()
        // A thread of its own reads standard output to its end, so nothing written before the process exited is
        // missing when ``waitForExit(timeout:)`` returns.
        let output = self.output
        let reader = pipe.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                output.bytes.withLock { $0.append(contentsOf: data) }
            }
            output.finished.withLock { $0 = true }
        }
    }

    deinit {
        if exitStatus() == nil { kill(pid, SIGKILL) }
        // Dead within the bound (SIGKILL cannot be ignored); Foundation reaps it once it notices.
        _ = try? Self.waitUntil("\(name) (pid \(pid)) to die", timeout: .seconds(30)) { exitStatus() }
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Whether the process is still running.
    public var isRunning: Bool { exitStatus() == nil }

    /// How the process ended (a signal's number plus 128 if killed by one), or `nil` while it runs.
    ///
    /// Read with `waitid(WNOWAIT)`, which leaves the process for Foundation to reap: Foundation's `Process` learns
    /// of an exit only when a socket the child inherited closes, and a process that holds a copy (the child's own
    /// child, or one another thread spawned at that moment) keeps it open (swift-corelibs-foundation#4795): a
    /// coordinator killed with SIGKILL then seemed alive for as long as that process lived.
    private func exitStatus() -> Int32? {
        // Foundation's record, once it has reaped the process (its pid may be another process's from then on).
        if !process.isRunning {
            return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        }
        var info = siginfo_t()
        // An error is ECHILD: Foundation is reaping it at this moment.
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return nil }
        let child = info._sifields._sigchld
        guard child.si_pid == pid else { return nil }
        return info.si_code == CLD_EXITED ? child.si_status : 128 + child.si_status
    }

    /// Everything written to standard output so far.
    public var standardOutput: String { output.bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Standard error so far.
    public var standardError: String { (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? "" }

    /// Waits until a line of standard output contains `text`, and returns that line.
    public func waitForLine(containing text: String, timeout: Duration) throws -> String {
        try Self.waitUntil("'\(text)' from \(name)", timeout: timeout) {
            standardOutput.split(separator: "\n").first { $0.contains(text) }.map(String.init)
        }
    }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to exit and returns its status (a signal's number plus 128 if killed by one).
    @discardableResult
    public func waitForExit(timeout: Duration) throws -> Int32 {
        let status = try Self.waitUntil("\(name) (pid \(pid)) to exit", timeout: timeout) { exitStatus() }
        // Its standard output ends when the last process holding it (it, or a child it left behind) closes it.
        _ = try? Self.waitUntil("\(name)'s standard output to end", timeout: .seconds(5)) { output.finished.withLock { $0 } ? true : nil }
        return status
    }

    /// Polls `condition` every 10 ms until it returns a value or `timeout` passes.
    @discardableResult
    public static func waitUntil<T>(_ what: String, timeout: Duration, _ condition: () throws -> T?) throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let value = try condition() { return value }
            guard clock.now < deadline else { throw TimedOut(what: what) }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}

/// Standard output collected from a pipe's handler thread.
final class CapturedOutput: Sendable {
    let bytes = Mutex<[UInt8]>([])
    /// Whether the pipe reached its end.
    let finished = Mutex(false)
}
