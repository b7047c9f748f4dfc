/// A byte range of one input file that one map task reads.
///
/// A line belongs to the split in which its first byte lies: a reader starts after the first line ending at
/// or after `start - 1` (unless `start` is 0) and reads every line that starts before `end`, finishing the last
/// one even past `end`. Every line of the file is therefore read by exactly one split. A compressed file is
/// always one split covering the whole file.
public struct InputSplit: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The file.
    public let file: InputFile
    /// The first byte offset of the range.
    public let start: Int64
    /// One past the last byte offset of the range.
    public let end: Int64

    /// Creates a split of `file` covering `start..<end`.
    public init(file: InputFile, start: Int64, end: Int64) {
        self.file = file
        self.start = start
        self.end = end
    }

    /// The number of bytes the split covers.
    public var length: Int64 { end - start }

    public var description: String { "\(file.path)[\(start)..<\(end)]" }
}
