#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory of a step's phase (`<plan directory>/map` or `/reduce`) that every attempt of the phase writes its
/// files in (``MapOutputLayout``, ``ReduceOutputLayout``): the only directory an attempt may create, and never the
/// plan's directory or anything above it. A worker that was stopped (SIGSTOP, a suspended machine) and continues
/// after its job ended finds the job's directory gone and fails its attempt, instead of recreating the directory and
/// leaving its files there for good.
enum PhaseDirectory {
    /// Creates `path` if it is not there yet.
    /// - Throws: ``FileIOError``; when the directory above it does not exist, one that says the job's directory is
    ///   gone.
    static func create(_ path: String) throws(FileIOError) {
        guard mkdir(path, 0o755) != 0, errno != EEXIST else { return }
        let reason = errno
        if reason == ENOENT {
            throw FileIOError(
                path: path,
                operation: "create, below a job directory that is not there (the job ended, or this worker sees another shared directory:"
                    + " a missing mount?), the directory",
                systemError: reason)
        }
        throw FileIOError(path: path, operation: "create the directory", systemError: reason)
    }

    /// What every name of `attempt` of task `task` in the phase's directory `directory` starts with:
    /// `<directory>/<task>-attempt-<attempt>`, the same in both phases.
    static func attemptStem(in directory: String, task: Int, attempt: AttemptID) -> String {
        "\(directory)/\(task)-attempt-\(attempt.rawValue)"
    }
}
