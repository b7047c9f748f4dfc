import Foundation

/// Where a reduce attempt's files are: one definition for the runners and the coordinator, which derives every
/// path it acts on from its own plan, and for a worker cleaning up an attempt.
///
/// Every reduce attempt of a step writes into the step's reduce directory, `<plan directory>/reduce`, files named by
/// its task and attempt, and has no directory of its own: an attempt creates its output file (the coordinator
/// publishes it as the part file when it commits), and a directory for its merge passes only when its inputs do
/// not fit in memory together.
public struct ReduceOutputLayout: Sendable, Equatable {
    /// The step's reduce directory, shared by every reduce attempt of the step.
    public let directory: String
    /// The reduce task's number (its partition).
    public let task: Int
    /// The attempt.
    public let attempt: AttemptID

    /// The layout of `attempt` of reduce task `task`, whose step's reduce directory is `directory`.
    public init(directory: String, task: Int, attempt: AttemptID) {
        self.directory = directory
        self.task = task
        self.attempt = attempt
    }

    /// The layout whose ``outputFile`` is `path`, if `path` is shaped as one (`…/reduce/<task>-attempt-<a>.part`).
    @usableFromInline
    init?(outputFile path: String) {
        guard let slash = path.lastIndex(of: "/"), path[..<slash].split(separator: "/").last == "reduce" else { return nil }
        let name = path[path.index(after: slash)...]
        guard name.hasSuffix(".part") else { return nil }
        let parts = name.dropLast(5).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let task = Int(parts[0]), task >= 0, let attempt = UInt64(parts[2]) else { return nil }
        self.init(directory: String(path[..<slash]), task: task, attempt: AttemptID(attempt))
        // Only the name this layout gives (no leading zeros, no sign): what an attempt wrote, nothing else.
        guard outputFile == path else { return nil }
    }

    /// What every name of the attempt starts with: `<directory>/<task>-attempt-<attempt>`.
    private var stem: String { PhaseDirectory.attemptStem(in: directory, task: task, attempt: attempt) }

    /// The attempt's output file: `<directory>/<task>-attempt-<attempt>.part`.
    public var outputFile: String { "\(stem).part" }

    /// Where the attempt merges in passes, created only when its inputs do not fit in memory together:
    /// `<task>-attempt-<attempt>.work`.
    public var scratchDirectory: String { "\(stem).work" }

    /// Removes what an attempt that failed or was cancelled wrote (a partial output, merge passes), so that retries
    /// on a full shared directory find the room it took.
    @usableFromInline
    func removeAbandoned() {
        for path in [outputFile, scratchDirectory] { try? FileManager.default.removeItem(atPath: path) }
    }
}
