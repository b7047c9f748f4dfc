import Foundation

/// A job's output directory: `part-00000` … one per reduce partition, then `_SUCCESS`, written last.
///
/// Files whose names start with `_` are metadata. Work in progress lives under `_temporary/`, removed on success.
public struct OutputDirectory: Sendable {
    /// The directory.
    public let path: String

    /// Refers to the output directory at `path`.
    public init(path: String) { self.path = path }

    /// The marker written after every output file is in place.
    public var successMarker: String { "\(path)/_SUCCESS" }
    /// Where temporary files live until they are published.
    public var temporaryDirectory: String { "\(path)/_temporary" }

    /// The output file of `partition`.
    public func partFile(_ partition: Int) -> String { "\(path)/\(partFileName(partition))" }

    /// The name of `partition`'s output file: `part-00003`.
    public func partFileName(_ partition: Int) -> String { "part-\(paddedNumber(partition))" }

    /// Creates the directory (and `_temporary/`), refusing one that already holds output unless `resuming` a job
    /// whose earlier coordinator published part of it. It removes the partial files a dead writer (a coordinator
    /// killed while copying a part file in) left under temporary names: a coordinator holds the output's lock by
    /// then, so no live writer's file is touched.
    /// - Throws: ``JobError`` `outputExists` or `outputUnwritable`.
    public func prepare(resuming: Bool = false) throws(JobError) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw JobError(.outputUnwritable, "output '\(path)' exists and is not a directory; choose another output path")
            }
            let existing = (try? manager.contentsOfDirectory(atPath: path)) ?? []
            if existing.contains("_SUCCESS") || (!resuming && existing.contains { $0.hasPrefix("part-") }) {
                throw JobError(.outputExists, "output directory '\(path)' already holds a job's output; remove it or choose another")
            }
        }
        for name in (try? manager.contentsOfDirectory(atPath: path)) ?? [] where WritableFile.isTemporary(name) {
            try? manager.removeItem(atPath: "\(path)/\(name)")
        }
        do {
            try manager.createDirectory(atPath: temporaryDirectory, withIntermediateDirectories: true)
        } catch {
            throw JobError(.outputUnwritable, "output directory '\(path)' cannot be created: \(error.localizedDescription)")
        }
        guard manager.isWritableFile(atPath: path), manager.isWritableFile(atPath: temporaryDirectory) else {
            throw JobError(.outputUnwritable, "output directory '\(path)' is not writable; check its permissions")
        }
    }

    /// Writes `_SUCCESS`, then removes `_temporary/` (where a coordinator's lock lives until the output is final).
    public func markSuccess() throws {
        let marker = try WritableFile(path: successMarker)
        try marker.commit(sync: true)
        try? FileManager.default.removeItem(atPath: temporaryDirectory)
    }

    /// Where a coordinator writing this output holds its lock (an exclusive `flock`).
    public var lockFile: String { "\(temporaryDirectory)/coordinator.lock" }
}
