import Foundation
package import MapReduce

/// Proof that a worker sees its coordinator's shared directory: a file the coordinator writes there when it starts
/// (apart from the job's directory, so it outlives the job), named with its content in every registration's answer. A
/// worker that cannot read the same content at that path sees another directory (a missing or different mount) and
/// stops at once with that message, before it fails any task.
public struct SharedDirectoryToken: Codable, Sendable, Equatable {
    /// The file, as the coordinator (and so every worker) names it.
    public var path: String
    /// What it holds: 32 random hexadecimal digits, new at each coordinator start.
    public var token: String

    public init(path: String, token: String) {
        self.path = path
        self.token = token
    }

    /// Writes a new token for the job whose directory is `jobDirectory` (`<shared>/jobs/<job>`), at
    /// `<shared>/coordinators/<job>` (apart from the jobs' directories, which tools list).
    /// - Throws: ``MapReduce/FileIOError`` if it cannot be written.
    package static func write(forJobDirectory jobDirectory: String) throws -> SharedDirectoryToken {
        let job = URL(fileURLWithPath: jobDirectory)
        let directory = job.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("coordinators").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(job.lastPathComponent)"
        let token = RandomToken.hex(RandomToken.bytes(16))
        try AtomicFile.write(Array("\(token)\n".utf8), to: path)
        return SharedDirectoryToken(path: path, token: token)
    }

    /// Throws ``MapReduce/JobError`` (`badConfiguration`) unless the file at ``path`` holds ``token`` as this process
    /// sees it.
    package func verify() throws(JobError) {
        let found = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard found != token else { return }
        let what = found == nil ? "is missing" : "holds another coordinator's token"
        throw JobError(
            .badConfiguration,
            "the shared directory this worker sees is not its coordinator's: '\(path)', which the coordinator wrote, \(what) here (a missing or different mount at that path?); mount the coordinator's shared directory there and start the worker again"
        )
    }
}
