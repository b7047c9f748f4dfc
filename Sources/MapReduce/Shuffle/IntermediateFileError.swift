/// An intermediate file that is missing, truncated, corrupt or of another format version.
///
/// The message names the file and what is wrong; a distributed run reacts by re-running the map task that wrote
/// it.
public struct IntermediateFileError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, stable across releases.
    public enum Code: String, Sendable, Codable {
        case missing
        case truncated
        case corrupt
        case wrongFormat = "wrong-format"
        case wrongVersion = "wrong-version"
        case io
    }

    /// What is wrong.
    public let code: Code
    /// The file.
    public let path: String
    /// The details.
    public let detail: String

    /// Creates an error about the file at `path`.
    public init(_ code: Code, path: String, _ detail: String) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    public var description: String { "intermediate file '\(path)' \(detail)" }
}
