#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an input file looked like when its job was planned: its size, modification time and inode.
///
/// Every reader of the file compares it with the open file before reading and again after, so a file truncated,
/// appended to, rewritten or replaced after planning fails the job, naming the file, instead of being read as it
/// is now. The device number is deliberately not part of it: over NFS each host numbers the same mount
/// differently, so a worker on another host would see every file as changed. Some network filesystems keep
/// neither sub-second times nor inode numbers (sshfs: SFTP sends whole seconds and no inode): a view without
/// sub-second times is compared by size and whole seconds only.
public struct FileFingerprint: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The size in bytes.
    public var size: Int64
    /// The modification time, in nanoseconds since 1970, wrapping past the year 2262 (where 64 bits of nanoseconds
    /// end): the figure only needs to tell two times apart, and a file dated after 2262 must not stop a job.
    public var modified: Int64
    /// The inode number.
    public var inode: UInt64

    /// Creates a fingerprint.
    public init(size: Int64, modified: Int64, inode: UInt64) {
        self.size = size
        self.modified = modified
        self.inode = inode
    }

    /// The fingerprint of a file described by `stat` information.
    init(_ info: stat) {
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        let nanoseconds = Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec)
        self.init(size: Int64(info.st_size), modified: nanoseconds, inode: UInt64(info.st_ino))
    }

    public var description: String { "\(size) bytes, modified at \(modified) ns, inode \(inode)" }

    /// How `now` differs from this fingerprint, in words, or `nil` if it does not. When either has no sub-second
    /// part (a filesystem that keeps whole seconds), times are compared in whole seconds and inodes not at all.
    public func difference(to now: FileFingerprint) -> String? {
        let second: Int64 = 1_000_000_000
        let fullPrecision = modified % second != 0 && now.modified % second != 0
        var changes: [String] = []
        if size != now.size { changes.append("its size went from \(size) to \(now.size) bytes") }
        if fullPrecision ? modified != now.modified : modified / second != now.modified / second { changes.append("it was modified") }
        if fullPrecision, inode != now.inode { changes.append("it was replaced by another file (inode \(inode) → \(now.inode))") }
        return changes.isEmpty ? nil : changes.joined(separator: ", ")
    }
}
