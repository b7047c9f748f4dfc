import Foundation
import MapReduceRuntime
import Synchronization

/// The live progress line of `coordinator` and `local`: on a terminal one line rewritten in place, otherwise a
/// plain line now and then, on standard error. `--quiet` turns it off.
struct ProgressLine: Sendable {
    /// What the line shows.
    struct Status: Equatable {
        /// `map`, `reduce`, `finishing`, `succeeded` or `failed`.
        var phase: String
        /// Tasks of the phase done.
        var done: Int
        /// Tasks in the phase.
        var total: Int
        /// Input bytes read so far.
        var inputBytes: Int64
        /// Seconds since the job started.
        var elapsed: Double
        /// An estimate of the seconds left.
        var remaining: Double?
    }

    /// Whether standard error is a terminal (the line is rewritten in place) or not (a plain line each time).
    let terminal: Bool
    /// The widest line on a terminal: longer ones are cut.
    var width = 100

    /// `map 12/40 tasks · 181.3 MiB/s · 8.2 s elapsed · ~19 s left`
    static func render(_ status: Status) -> String {
        let rate = status.elapsed > 0 ? Double(status.inputBytes) / status.elapsed / Double(1 << 20) : 0
        var line =
            "\(status.phase) \(status.done)/\(status.total) tasks · \(String(format: "%.1f", rate)) MiB/s · \(StatusPage.duration(status.elapsed)) elapsed"
        // A finished phase has nothing left, whatever the estimate (made before its last task ended) said.
        if let remaining = status.remaining, status.done < status.total { line += " · ~\(StatusPage.duration(remaining)) left" }
        return line
    }

    /// What to write for `status`: on a terminal, a carriage return, the line cut to ``width`` and a clear to the
    /// end of the line; otherwise the line and a line ending.
    func output(_ status: Status) -> String {
        let line = Self.render(status)
        return terminal ? "\r" + String(line.prefix(width)) + "\u{1B}[K" : line + "\n"
    }

    /// What ends the line on a terminal once the job is over, so that later output starts on a line of its own.
    var finish: String { terminal ? "\n" : "" }

    /// A line for standard error, or `nil` with `--quiet`.
    static func forStandardError(quiet: Bool) -> ProgressLine? { quiet ? nil : ProgressLine(terminal: isatty(STDERR_FILENO) == 1) }

    /// How often to write: every half second on a terminal, every ten seconds otherwise.
    var interval: Duration { terminal ? .milliseconds(500) : .seconds(10) }

    /// Writes `status` to standard error.
    func write(_ status: Status) { FileHandle.standardError.write(Data(output(status).utf8)) }
}

/// Lets a progress line through at most once per interval (and always the last one).
final class ProgressThrottle: Sendable {
    private let interval: Duration
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(interval: Duration) { self.interval = interval }

    /// Whether a line is due now.
    func due(final: Bool) -> Bool {
        let now = ContinuousClock.now
        return last.withLock { last in
            guard final || last.map({ now - $0 >= interval }) ?? true else { return false }
            last = now
            return true
        }
    }
}
