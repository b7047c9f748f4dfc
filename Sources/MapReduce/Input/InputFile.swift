/// A file of input to a job.
public struct InputFile: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The file's path as given (after expanding directories).
    public let path: String

    /// Creates a reference to the file at `path`.
    public init(path: String) { self.path = path }

    /// The file's base name, for example `a.txt` for `data/a.txt`.
    public var name: String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }

    /// Whether the file is zstd-compressed (its name ends in `.zst`): it is decompressed as it is read, whole.
    public var isCompressed: Bool { path.hasSuffix(".zst") }

    public var description: String { path }
}
