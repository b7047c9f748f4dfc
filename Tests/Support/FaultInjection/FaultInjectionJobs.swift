import Foundation
public import MapReduce

extension JobCatalog {
    /// The jobs that inject faults, for tests only: `probe-word-count`, `crash-word-count`, `probe-steps` and its
    /// first two steps as jobs of their own (`probe-count`, `probe-histogram`, which publish the pairs they hand the
    /// next step). They exit, stall and throw on request, so only the test program (`mr-testbed`) links them;
    /// production executables never do.
    public static let faultInjection = JobCatalog([
        JobDefinition(probeWordCount), JobDefinition(crashWordCount), JobDefinition(probeSteps), JobDefinition(AnyJob(probeCount)),
        JobDefinition(AnyJob(probeHistogram)),
    ])
}

// Jobs for testing the distributed runtime, as in the classic MapReduce lab's test suite. Each computes word
// count (so its output can be compared with the `SequentialRunner`'s) and is steered by environment variables
// that the test sets on the worker processes:
//
// - MR_PROBE_DIR: where to record each call: `<kind>-started-<pid>-…` when it starts, and `<kind>-done-<pid>-…`
//   holding `<kind> <pid> <start> <end> <detail>` when it ends (the detail of a map call is its file).
// - MR_PROBE_MAP_SLEEP_MS / MR_PROBE_REDUCE_SLEEP_MS: how long each recorded call sleeps.
// - MR_PROBE_MAP_THROW: if set, each recorded map call throws an error with this text.
// - MR_PROBE_SLOW_FIRST_FILE / MR_PROBE_SLOW_FIRST_MS: the first map call on the file with this base name (across
//   all workers: a marker in MR_PROBE_DIR remembers it) sleeps this long instead, making that task a straggler.
// - MR_PROBE_BAD_PREFIX: map calls on lines starting with this text throw, after emitting their words.
// - MR_PROBE_EXIT_PREFIX: map calls on lines starting with this text exit the process (a record that crashes every
//   worker that reads it).
// - MR_PROBE_COUNTERS: the first map call on each file increments this many distinct counters (a completion too
//   large for the coordinator to accept).
// - `probe-steps` holds its reduce attempts while `hold-step-N` files exist in MR_PROBE_DIR (see there).
// - `hold-maps` in MR_PROBE_DIR: each recorded map call (after its `map-started-` marker) waits while it exists,
//   up to two minutes: a test holds workers inside map attempts until each has started one.
//
// Map calls are recorded (and sleep) on the first line of each input file; reduce calls on every key.

/// Word count that records when each map and reduce call runs, and can be slowed down. It counts the files it
/// started (`files-started`) and the keys it reduced (`keys`) with ``Counters``.
public let probeWordCount = Job<String, Int>("probe-word-count", combiner: { $0 + $1 }) { line, emit in
    if line.offset == 0 {
        Counters.increment("files-started")
        let slow = ProbeRecorder.shared.claimSlowFirstCall(file: line.file.name)
        ProbeRecorder.shared.record("map", sleepVariable: slow ? "MR_PROBE_SLOW_FIRST_MS" : "MR_PROBE_MAP_SLEEP_MS", detail: line.file.path)
        if let message = ProcessInfo.processInfo.environment["MR_PROBE_MAP_THROW"] { throw ProbeFailure(message: message) }
        for index in 0..<(ProcessInfo.processInfo.environment["MR_PROBE_COUNTERS"].flatMap(Int.init) ?? 0) {
            Counters.increment("probe-counter-\(index)")
        }
    }
    for word in line.words { emit(word, 1) }
    if let prefix = ProbeRecorder.shared.badPrefix, line.string.hasPrefix(prefix) { throw ProbeFailure(message: "bad line") }
    if let prefix = ProbeRecorder.shared.exitPrefix, line.string.hasPrefix(prefix) { exit(1) }
} reduce: { _, counts in
    ProbeRecorder.shared.record("reduce", sleepVariable: "MR_PROBE_REDUCE_SLEEP_MS")
    Counters.increment("keys")
    return counts.reduce(0, +)
}

/// Word count whose task attempts, at random, exit the process (one in three) or stall for up to ten seconds (one in
/// three), like the classic lab's crash test, where each map task is one file and the reduce sees a handful of keys.
/// Each attempt draws its fate once, at its first map or reduce call, and meets it at a random later call (the
/// first 1,000 map calls or the first 2,000 reduce calls), so crashes also strike in the middle of a task.
/// (Drawing per file or per key instead made a task of three small files crash 70% of the time and stack three
/// stalls, and made the reduce stack its stalls: a chain of such attempts took minutes.)
public let crashWordCount = Job<String, Int>("crash-word-count", combiner: { $0 + $1 }) { line, emit in
    Crasher.call(within: 1000)
    for word in line.words { emit(word, 1) }
} reduce: { _, counts in
    Crasher.call(within: 2000)
    return counts.reduce(0, +)
}

/// The error a probe map call throws when asked to.
struct ProbeFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Records probe calls into MR_PROBE_DIR.
final class ProbeRecorder: Sendable {
    static let shared = ProbeRecorder()
    let directory = ProcessInfo.processInfo.environment["MR_PROBE_DIR"]
    let badPrefix = ProcessInfo.processInfo.environment["MR_PROBE_BAD_PREFIX"]
    let exitPrefix = ProcessInfo.processInfo.environment["MR_PROBE_EXIT_PREFIX"]

    /// Whether this is the first map call on `file` and `file` is MR_PROBE_SLOW_FIRST_FILE (claimed atomically
    /// with an exclusive create of a marker file).
    func claimSlowFirstCall(file: String) -> Bool {
        guard let directory, ProcessInfo.processInfo.environment["MR_PROBE_SLOW_FIRST_FILE"] == file else { return false }
        let descriptor = open("\(directory)/slow-first-\(file)", O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }

    func record(_ kind: String, sleepVariable: String, detail: String = "-") {
        let start = Date().timeIntervalSince1970
        if let directory {
            let marker = "\(directory)/\(kind)-started-\(getpid())-\(UUID().uuidString)"
            try? Data("\(start)\n".utf8).write(to: URL(fileURLWithPath: marker), options: .atomic)
        }
        if kind == "map", let directory {
            let deadline = Date().addingTimeInterval(120)
            while FileManager.default.fileExists(atPath: "\(directory)/hold-maps"), Date() < deadline { usleep(20_000) }
        }
        if let milliseconds = ProcessInfo.processInfo.environment[sleepVariable].flatMap(Int.init), milliseconds > 0 {
            usleep(UInt32(milliseconds) * 1000)
        }
        guard let directory else { return }
        let end = Date().timeIntervalSince1970
        let line = "\(kind) \(getpid()) \(start) \(end) \(detail)\n"
        let path = "\(directory)/\(kind)-done-\(getpid())-\(UUID().uuidString)"
        try? Data(line.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// Decides, once per attempt (a worker runs each attempt on a thread of its own), to exit the process or stall.
enum Crasher {
    /// An attempt's fate and the call at which it strikes.
    final class Fate {
        enum Kind { case exit, stall, none }
        let kind: Kind
        let strikeAt: Int
        var calls = 0

        init(within calls: Int) {
            let roll = Int.random(in: 0..<3)
            kind = roll == 0 ? .exit : roll == 1 ? .stall : .none
            strikeAt = Int.random(in: 0..<calls)
        }
    }

    /// Counts a map or reduce call of this thread's attempt, meeting its fate at the chosen call.
    static func call(within calls: Int) {
        let key = "mr.crasher.fate"
        let fate = Thread.current.threadDictionary[key] as? Fate ?? Fate(within: calls)
        Thread.current.threadDictionary[key] = fate
        defer { fate.calls += 1 }
        guard fate.calls == fate.strikeAt else { return }
        switch fate.kind {
        case .exit: exit(1)
        case .stall: usleep(UInt32.random(in: 0..<10_000_000))
        case .none: break
        }
    }
}

/// Word count in three steps, for kills and restarts inside each step: count each word (`probe-count`), count how
/// many words occur each number of times (`probe-histogram`), then list, per number of such words, the occurrence
/// counts that have it (`probe-steps`). With MR_PROBE_DIR set, every reduce attempt of step N (from 1) waits at its
/// first call while `<MR_PROBE_DIR>/hold-step-N` exists (up to two minutes): a test holds a step open, its maps
/// committed and its reduces running, for as long as it needs.
public let probeSteps = Job<Int, Int>("probe-steps", after: probeHistogram) { count, words, emit in
    emit(words, count)
} reduce: { _, counts in
    ProbeRecorder.shared.holdOncePerAttempt(step: 3)
    return counts.sorted().map(String.init).joined(separator: ",")
}

/// The first step of ``probeSteps``: each word's count.
public let probeCount = Step<String, Int, String, Int>("probe-count", combiner: +) { line, emit in
    for word in line.words { emit(word, 1) }
} reduce: { word, counts, emit in
    ProbeRecorder.shared.holdOncePerAttempt(step: 1)
    emit(word, counts.reduce(0, +))
}

/// The second step of ``probeSteps``: how many words have each count.
public let probeHistogram = Step<Int, Int, Int, Int>("probe-histogram", after: probeCount, combiner: +) { _, count, emit in
    emit(count, 1)
} reduce: { count, words, emit in
    ProbeRecorder.shared.holdOncePerAttempt(step: 2)
    emit(count, words.reduce(0, +))
}

extension ProbeRecorder {
    /// At the first call of the attempt running on this thread (a worker runs each attempt on a thread of its own),
    /// waits while `<MR_PROBE_DIR>/hold-step-<step>` exists, up to two minutes.
    func holdOncePerAttempt(step: Int) {
        guard let directory else { return }
        let key = "mr.probe.held"
        guard Thread.current.threadDictionary[key] == nil else { return }
        Thread.current.threadDictionary[key] = true
        let deadline = Date().addingTimeInterval(120)
        while FileManager.default.fileExists(atPath: "\(directory)/hold-step-\(step)"), Date() < deadline { usleep(20_000) }
    }
}
