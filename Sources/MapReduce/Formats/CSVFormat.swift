/// How a CSV input is laid out (RFC 4180): the field delimiter and whether each file starts with a header.
///
/// Fields may be quoted with `"`; a quoted field may hold delimiters, line endings and quotes (written twice, `""`).
/// Records end at a line ending outside quotes (`\n` or `\r\n`); blank lines are skipped.
public struct CSVFormat: Hashable, Sendable {
    /// The byte between fields, `,` by default.
    public let delimiter: UInt8
    /// Whether the first record of each file names the fields (it is not passed to the map function).
    public let hasHeader: Bool

    /// Creates a format.
    /// - Parameters:
    ///   - delimiter: an ASCII character other than `"`, `\r` and `\n`; `,` by default.
    ///   - header: whether the first record of each file is a header giving the fields' names.
    public init(delimiter: Character = ",", header: Bool = true) {
        precondition(delimiter.isASCII && !"\"\r\n".contains(delimiter), "a CSV delimiter must be ASCII and not a quote or a line ending")
        self.delimiter = delimiter.asciiValue!
        self.hasHeader = header
    }
}
