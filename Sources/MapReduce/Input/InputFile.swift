#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file of input to a job.
public struct InputFile: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The file's path: absolute and canonical when the split planner made it, so every process reads the same
    /// file whatever its working directory.
    public let path: String
    /// What the file looked like when the job was planned; readers refuse a file that no longer matches it.
    /// `nil` for a file named directly (tests, tools): then nothing is checked.
    public let fingerprint: FileFingerprint?

    /// Creates a reference to the file at `path`.
    public init(path: String, fingerprint: FileFingerprint? = nil) {
        self.path = path
        self.fingerprint = fingerprint
    }

    /// The file's base name, for example `a.txt` for `data/a.txt`.
    public var name: String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    /// How a file is compressed, told by its name's ending.
    public enum Compression: String, Sendable {
        /// `.zst`: zstd frames.
        case zstd
        /// `.gz`: gzip members (what logrotate writes).
        case gzip
    }

    /// How the file is compressed (its name ends in `.zst` or `.gz`), if it is: it is then decompressed as it is
    /// read, whole, as one split.
    public var compression: Compression? { path.hasSuffix(".zst") ? .zstd : path.hasSuffix(".gz") ? .gzip : nil }

    /// Whether the file is compressed (``compression``).
    public var isCompressed: Bool { compression != nil }

    public var description: String { path }

    /// Throws ``InputError`` `changed` if the file at ``path`` no longer matches the planned fingerprint, or is
    /// gone.
    public func checkUnchanged() throws(InputError) {
        guard fingerprint != nil else { return }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw InputError(.changed, path: path, "input '\(path)' is gone since the job was planned; restore it or start the job again")
        }
        try check(FileFingerprint(info))
    }

    /// Throws ``InputError`` `changed` if `now` (the open file's fingerprint) differs from the planned one.
    func check(_ now: FileFingerprint) throws(InputError) {
        guard let fingerprint, let difference = fingerprint.difference(to: now) else { return }
        throw InputError(
            .changed, path: path,
            "input '\(path)' changed after the job was planned (\(difference)); inputs must not change while a job runs: restore the file or start the job again"
        )
    }
}
