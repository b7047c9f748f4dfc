// The bridge that lets a `Codable` struct be a key or a value: `struct Sale: Codable, RecordCodable {}`.
//
// Fields are written in the order `encode(to:)` visits them (declaration order for synthesized conformances),
// each in its own record encoding, with no field names: the bytes are as compact as a hand-written codec and keep
// the order-preserving property field by field. Supported: fields of `RecordCodable` types, nested `Codable`
// structs, optionals and arrays of them, and enums with raw values. Not supported: hand-written unkeyed
// containers and enums with associated values (their synthesized decoders need to list keys).

extension RecordCodable where Self: Encodable {
    /// Encodes the fields of a `Codable` type one after another, in the order `encode(to:)` visits them.
    public func encode(to writer: inout RecordWriter) {
        let state = RecordCodingState(writer: writer)
        do {
            try encode(to: FieldEncoder(state: state))
        } catch {
            preconditionFailure("\(Self.self) cannot be record-encoded: \(error)")
        }
        writer = state.writer
    }
}

extension RecordCodable where Self: Decodable {
    /// Decodes the fields of a `Codable` type in the order its `init(from:)` reads them.
    public init(from reader: inout RecordReader) throws(RecordDecodingError) {
        let state = RecordDecodingState(reader: reader)
        do {
            self = try Self(from: FieldDecoder(state: state))
        } catch let error as RecordDecodingError {
            throw error
        } catch {
            throw RecordDecodingError(type: "\(Self.self)", reason: "\(error)")
        }
        reader = state.reader
    }
}

/// An optional whose wrapped type is `Codable` but not `RecordCodable`, written like a record optional.
protocol OptionalField {
    func encodeField(_ state: RecordCodingState) throws
    static func decodeField(_ state: RecordDecodingState) throws -> Self
}

/// An array whose element type is `Codable` but not `RecordCodable`, written like a record array.
protocol ArrayField {
    func encodeField(_ state: RecordCodingState) throws
    static func decodeField(_ state: RecordDecodingState) throws -> Self
}

extension Optional: OptionalField where Wrapped: Codable {
    func encodeField(_ state: RecordCodingState) throws {
        switch self {
        case .none: state.writer.write(0)
        case .some(let wrapped):
            state.writer.write(1)
            try state.encode(wrapped)
        }
    }

    static func decodeField(_ state: RecordDecodingState) throws -> Self {
        try state.reader.readByte(for: "\(Self.self)") == 0 ? nil : try state.decode(Wrapped.self)
    }
}

extension Array: ArrayField where Element: Codable {
    func encodeField(_ state: RecordCodingState) throws {
        for element in self {
            state.writer.write(1)
            try state.encode(element)
        }
        state.writer.write(0)
    }

    static func decodeField(_ state: RecordDecodingState) throws -> Self {
        var elements: [Element] = []
        while try state.reader.readByte(for: "\(Self.self)") == 1 { elements.append(try state.decode(Element.self)) }
        return elements
    }
}

final class RecordCodingState {
    var writer: RecordWriter

    init(writer: RecordWriter) { self.writer = writer }

    func encode<T: Encodable>(_ value: T) throws {
        if let record = value as? any RecordCodable {
            record.encode(to: &writer)
        } else if let optional = value as? any OptionalField {
            try optional.encodeField(self)
        } else if let array = value as? any ArrayField {
            try array.encodeField(self)
        } else {
            try value.encode(to: FieldEncoder(state: self))
        }
    }
}

struct UnsupportedShape: Error, CustomStringConvertible {
    let what: String
    var description: String { "\(what) is not supported by the record encoding; use fields of RecordCodable types" }
}

struct FieldEncoder: Encoder {
    let state: RecordCodingState
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedFieldEncoder<Key>(state: state))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { UnkeyedFieldEncoder() }
    func singleValueContainer() -> any SingleValueEncodingContainer { SingleFieldEncoder(state: state) }
}

struct KeyedFieldEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let state: RecordCodingState
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { state.writer.write(0) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try state.encode(value) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOptional(value) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOptional(value) }

    private func encodeOptional<T: Encodable>(_ value: T?) throws {
        guard let value else { return state.writer.write(0) }
        state.writer.write(1)
        try state.encode(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(KeyedFieldEncoder<NestedKey>(state: state))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { UnkeyedFieldEncoder() }
    mutating func superEncoder() -> any Encoder { FieldEncoder(state: state) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { FieldEncoder(state: state) }
}

/// Hand-written unkeyed containers have no end marker to write, so they cannot round-trip; every use fails.
struct UnkeyedFieldEncoder: UnkeyedEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    var count: Int { 0 }
    mutating func encodeNil() throws { throw UnsupportedShape(what: "an unkeyed container") }
    mutating func encode<T: Encodable>(_ value: T) throws { throw UnsupportedShape(what: "an unkeyed container") }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        preconditionFailure(UnsupportedShape(what: "an unkeyed container").description)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
    mutating func superEncoder() -> any Encoder { preconditionFailure(UnsupportedShape(what: "an unkeyed container").description) }
}

struct SingleFieldEncoder: SingleValueEncodingContainer {
    let state: RecordCodingState
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { state.writer.write(0) }
    mutating func encode<T: Encodable>(_ value: T) throws { try state.encode(value) }
}
