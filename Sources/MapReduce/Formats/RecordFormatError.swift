/// An input record that does not parse as its format (CSV, JSON Lines), or a field a job asked for that is
/// missing or of the wrong type. The framework adds the file and line when it reports it.
public struct RecordFormatError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, one line.
    public let message: String

    /// Creates an error saying what is wrong.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
