import Foundation
public import MapReduce

/// Checks, when a coordinator or worker starts, that the shared directory does what the framework relies on:
/// a file can be published there the way every file is (``MapReduce/AtomicFile``: written under a temporary name,
/// fsynced, renamed into place), a second one renamed over it replaces it, and it reads back whole.
///
/// A filesystem without that (an object-store mount such as s3fs or gcsfuse, or an SFTP server that refuses
/// renames) is refused at start with one line that names the failing operation, instead of failing every task
/// later.
public enum SharedDirectoryCheck {
    /// Throws ``MapReduce/JobError`` (`badConfiguration`) naming what `directory` cannot do.
    /// - Parameter role: who checks (`coordinator`, `worker`), for the message.
    public static func verify(_ directory: String, role: String) throws(JobError) {
        let probe = "\(directory)/.mr-probe-\(role)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(probe) }
        let content = Array("probe \(probe)\n".utf8)
        var replacing = false
        do {
            try AtomicFile.write(Array("to be replaced\n".utf8), to: probe)
            replacing = true
            try AtomicFile.write(content, to: probe)
        } catch {
            let operation =
                error.operation.hasPrefix("rename")
                ? (replacing ? "rename a file over another within it" : "rename a file within it") : "\(error.operation) a file in it"
            throw JobError(
                .badConfiguration,
                "shared directory '\(directory)' cannot \(operation) (\(String(cString: strerror(error.systemError)))), as seen by this \(role); every file is published by writing it, fsyncing it and renaming it within its directory, so use a POSIX filesystem that can (a local disk, NFS, CephFS, sshfs), not an object-store mount"
            )
        }
        let read = FileManager.default.contents(atPath: probe).map(Array.init)
        guard read == content else {
            throw JobError(
                .badConfiguration,
                "shared directory '\(directory)' did not replace a file by renaming another over it (read back \(read?.count ?? 0) bytes, not the \(content.count) written), as seen by this \(role); use a POSIX filesystem"
            )
        }
    }
}
