import Foundation
public import MapReduce

/// Checks, when a coordinator or worker starts, that the shared directory does what the framework relies on:
/// a file can be created, written and fsynced, then renamed within the directory over an existing file, which it
/// atomically replaces, and read back whole.
///
/// Every intermediate and output file is published by such a rename. A filesystem without it (an object-store
/// mount such as s3fs or gcsfuse, or an SFTP server that refuses renames) is refused at start with one line that
/// names the failing operation, instead of failing every task later.
public enum SharedDirectoryCheck {
    /// Throws ``MapReduce/JobError`` (`badConfiguration`) naming what `directory` cannot do.
    /// - Parameter role: who checks (`coordinator`, `worker`), for the message.
    public static func verify(_ directory: String, role: String) throws(JobError) {
        let probe = "\(directory)/.mr-probe-\(role)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let target = "\(probe)-target"
        defer {
            unlink(probe)
            unlink(target)
        }
        func refuse(_ operation: String) -> JobError {
            let reason = String(cString: strerror(errno))
            return JobError(
                .badConfiguration,
                "shared directory '\(directory)' cannot \(operation) (\(reason)), as seen by this \(role); every file is published by writing it, fsyncing it and renaming it within its directory, so use a POSIX filesystem that can (a local disk, NFS, CephFS, sshfs), not an object-store mount"
            )
        }
        let content = Array("probe \(probe)\n".utf8)
        try write(content, to: probe, refuse)
        try write(Array("to be replaced\n".utf8), to: target, refuse)
        guard rename(probe, target) == 0 else { throw refuse("rename a file over another within it") }
        let read = FileManager.default.contents(atPath: target).map(Array.init)
        guard read == content else {
            errno = 0
            throw JobError(
                .badConfiguration,
                "shared directory '\(directory)' did not replace a file by renaming another over it (read back \(read?.count ?? 0) bytes, not the \(content.count) written), as seen by this \(role); use a POSIX filesystem"
            )
        }
    }

    private static func write(_ bytes: [UInt8], to path: String, _ refuse: (String) -> JobError) throws(JobError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw refuse("create a file in it") }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw refuse("write a file in it") }
        guard fsync(descriptor) == 0 else { throw refuse("fsync a file in it") }
    }
}
