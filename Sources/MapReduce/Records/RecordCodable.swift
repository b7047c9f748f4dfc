/// A type that keys and values of a job can have: it encodes to compact, self-delimiting bytes.
///
/// The encoding preserves order: for two values of a `Comparable` conforming type, `a < b` exactly when the
/// encoding of `a` sorts byte-wise before the encoding of `b` (Double `NaN` and `-0.0` aside). That is why the
/// shuffle sorts and merges raw bytes without decoding.
///
/// The framework provides conformances for `String`, the integer types, `Double`, `Bool`, `[UInt8]`, and
/// optionals and arrays of conforming types. A `Codable` struct conforms by declaring it, with no codec to
/// write: `struct Sale: Codable, RecordCodable { … }`.
public protocol RecordCodable: SendableMetatype {
    /// Appends the encoding of `self`.
    func encode(to writer: inout RecordWriter)
    /// Decodes a value, consuming exactly the bytes `encode(to:)` wrote.
    init(from reader: inout RecordReader) throws(RecordDecodingError)
}

extension RecordCodable {
    /// The encoded bytes of `self`.
    public var encodedBytes: [UInt8] {
        var writer = RecordWriter()
        encode(to: &writer)
        return writer.bytes
    }

    /// Decodes a value that must span all of `bytes`.
    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(RecordDecodingError) {
        var reader = RecordReader(bytes)
        self = try Self(from: &reader)
        try reader.requireEnd(of: "\(Self.self)")
    }

    /// Decodes a value that must span all of `bytes`.
    @inlinable
    public init(decoding bytes: [UInt8]) throws(RecordDecodingError) {
        var result: Result<Self, RecordDecodingError>!
        bytes.withUnsafeBytes { buffer in
            result = Result { () throws(RecordDecodingError) -> Self in try Self(decoding: buffer) }
        }
        self = try result.get()
    }
}

/// Bytes that do not decode as the expected type: the file or message they came from is corrupt or was written
/// by a job with other types.
public struct RecordDecodingError: Error, CustomStringConvertible, Sendable {
    /// The type being decoded.
    public let type: String
    /// What was wrong.
    public let reason: String

    /// Creates an error about decoding `type`.
    public init(type: String, reason: String) {
        self.type = type
        self.reason = reason
    }

    public var description: String { "cannot decode \(type): \(reason)" }
}
