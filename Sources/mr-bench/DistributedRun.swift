import Foundation

/// Runs a catalog job with the real `mr-coordinator` and `mr-worker` executables (found beside `mr-bench`), and
/// measures wall time and each process's peak resident memory.
struct DistributedRun {
    let binaryDirectory: String
    let job: String
    let workers: Int
    let reducers: Int
    /// More `mr-coordinator` options (split size, memory budget).
    let extraArguments: [String]
    let work: String

    struct Result {
        var seconds: Double
        /// Peak resident memory per process, in MiB, coordinator first.
        var peaks: [(name: String, mebibytes: Double)]
        /// CPU time (user and system) per process, in seconds, coordinator first: the last sample before it exited.
        var cpuSeconds: [Double]
        var summary: String
    }

    func run(inputs: [String]) throws -> Result {
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let start = Date()
        let coordinator = try launch(
            "mr-coordinator",
            [
                "--job", job, "--reducers", "\(reducers)", "--shared-dir", "\(work)/shared", "--output", "\(work)/output",
                "--address-file", "\(work)/address", "--log-level", "warning",
            ] + extraArguments + inputs,
            output: "\(work)/coordinator.out")
        let url = try waitForAddress("\(work)/address", coordinator: coordinator)
        let workerProcesses = try (0..<workers).map { index in
            try launch(
                "mr-worker", ["--coordinator", url, "--shared-dir", "\(work)/shared", "--log-level", "warning"], output: "\(work)/worker-\(index).out")
        }
        let all = [coordinator] + workerProcesses
        var peaks = Array(repeating: 0.0, count: all.count)
        var cpu = Array(repeating: 0.0, count: all.count)
        // Sample each process's high-water mark and CPU time until it exits (both only grow, so the last sample is
        // the figure, less at most one interval of CPU).
        while all.contains(where: \.isRunning) {
            for (index, process) in all.enumerated() where process.isRunning {
                peaks[index] = max(peaks[index], Self.highWaterMark(process.processIdentifier))
                cpu[index] = max(cpu[index], Self.cpuSeconds(process.processIdentifier))
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let seconds = Date().timeIntervalSince(start)
        guard coordinator.terminationStatus == 0 else {
            throw BenchmarkFailure(message: "mr-coordinator exited \(coordinator.terminationStatus); see \(work)/coordinator.out")
        }
        let summary = (try? String(contentsOfFile: "\(work)/coordinator.out", encoding: .utf8))?.split(separator: "\n").last.map(String.init) ?? ""
        let names = ["mr-coordinator"] + (0..<workers).map { "mr-worker \($0 + 1)" }
        return Result(seconds: seconds, peaks: Array(zip(names, peaks)), cpuSeconds: cpu, summary: summary)
    }

    private func launch(_ name: String, _ arguments: [String], output: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(binaryDirectory)/\(name)")
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    private func waitForAddress(_ path: String, coordinator: Process) throws -> String {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, coordinator.isRunning {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), let line = text.split(separator: "\n").first {
                return String(line)
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        throw BenchmarkFailure(message: "mr-coordinator did not announce its address; see \(work)/coordinator.out")
    }

    /// The process's CPU time so far (user and system) in seconds, from /proc; 0 once it has exited.
    static func cpuSeconds(_ pid: Int32) -> Double {
        // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The process's peak resident set (VmHWM) in MiB, from /proc; 0 once it has exited.
    static func highWaterMark(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kibibytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kibibytes / 1024
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
