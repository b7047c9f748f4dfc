import Foundation

/// Where a map attempt's files are: one definition for the writer, the runners and the coordinator, which derives
/// every path it acts on from its own plan.
///
/// Every map attempt of a step writes into the step's map directory, `<plan directory>/map`, files named by its
/// task and attempt, and has no directory of its own: an attempt creates one inode (its output file), a spilling
/// one a directory for its runs as well. Creating directories per attempt cost more than the attempt's data at the
/// paper's task counts (two inodes of every three, each a round trip on a network filesystem).
public struct MapOutputLayout: Sendable, Equatable {
    /// The step's map directory, shared by every map attempt of the step.
    public let directory: String
    /// The map task's number.
    public let task: Int
    /// The attempt.
    public let attempt: AttemptID

    /// The layout of `attempt` of map task `task`, whose step's map directory is `directory`.
    public init(directory: String, task: Int, attempt: AttemptID) {
        self.directory = directory
        self.task = task
        self.attempt = attempt
    }

    /// What every name of the attempt starts with: `<directory>/<task>-attempt-<attempt>`.
    private var stem: String { PhaseDirectory.attemptStem(in: directory, task: task, attempt: attempt) }

    /// The attempt's output file, holding every partition: `<directory>/<task>-attempt-<attempt>.mri`.
    public var outputFile: String { "\(stem).mri" }

    /// The attempt's list of skipped records (``BadRecordsFile``): `<task>-attempt-<attempt>.bad-records.jsonl`.
    public var badRecordsFile: String { "\(stem).\(BadRecordsFile.attemptFileName)" }

    /// The directory a spilling attempt keeps its sorted runs in until it merges them:
    /// `<task>-attempt-<attempt>.spill`.
    var spillDirectory: String { "\(stem).spill" }

    /// Removes what an attempt that failed or was cancelled wrote (its runs, a partial output, a list of skipped
    /// records), so that retries on a full shared directory find the room it took. Only the attempt's own names in
    /// a directory called `map` are removed: nothing else, whatever directory an assignment names.
    @usableFromInline
    func removeAbandoned() {
        guard directory.split(separator: "/").last == "map" else { return }
        for path in [outputFile, badRecordsFile, spillDirectory] { try? FileManager.default.removeItem(atPath: path) }
    }
}
