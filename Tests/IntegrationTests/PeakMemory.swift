import Foundation
import MapReduceTesting
import Testing

/// A process's peak resident memory, as GNU time reads it from `wait4` when the process ends (polling
/// `/proc/PID/status` can miss the last moments). Tests compare a run with a baseline run of the same program on a
/// tiny input, so the bound does not depend on the size of the (debug) binary itself.
enum PeakMemory {
    /// Whether GNU time is here (Debian package `time`, which `scripts/ensure-deps.sh` installs).
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/time") }

    /// Runs `executable` with `arguments` to its end (it must exit 0) and returns its peak resident memory in bytes.
    static func of(_ executable: String, _ arguments: [String], errorLog: String) throws -> Int {
        let process = try ChildProcess("/usr/bin/time", ["-f", "peak-kib=%M", executable] + arguments, errorLog: errorLog)
        let status = try process.waitForExit(timeout: .seconds(300))
        try #require(status == 0, "\(executable) failed: \(process.standardError)")
        let line = try #require(process.standardError.split(separator: "\n").last { $0.hasPrefix("peak-kib=") })
        return try #require(Int(line.dropFirst("peak-kib=".count))) * 1024
    }
}
