// The decoding half of the `Codable` bridge; see RecordEncoder.swift for the layout.

final class RecordDecodingState {
    var reader: RecordReader

    init(reader: RecordReader) { self.reader = reader }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let record = T.self as? any RecordCodable.Type {
            return try decodeRecord(record) as! T
        } else if let optional = T.self as? any OptionalField.Type {
            return try optional.decodeField(self) as! T
        } else if let array = T.self as? any ArrayField.Type {
            return try array.decodeField(self) as! T
        }
        return try T(from: FieldDecoder(state: self))
    }

    private func decodeRecord<R: RecordCodable>(_ type: R.Type) throws -> R { try R(from: &reader) }
}

struct FieldDecoder: Decoder {
    let state: RecordDecodingState
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(KeyedFieldDecoder<Key>(state: state))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw UnsupportedShape(what: "an unkeyed container") }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleFieldDecoder(state: state) }
}

struct KeyedFieldDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let state: RecordDecodingState
    var codingPath: [any CodingKey] { [] }
    /// Field names are not stored, so keys cannot be listed (enums with associated values need them).
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool {
        guard state.reader.peek() == 0 else { return false }
        _ = try state.reader.readByte(for: "nil")
        return true
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try state.decode(T.self) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try decodeOptional(T.self) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeOptional(type) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeOptional(type) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeOptional(type) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decodeOptional(type) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeOptional(type) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try decodeOptional(type) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try decodeOptional(type) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try decodeOptional(type) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodeOptional(type) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try decodeOptional(type) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try decodeOptional(type) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try decodeOptional(type) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try decodeOptional(type) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try decodeOptional(type) }

    private func decodeOptional<T: Decodable>(_ type: T.Type) throws -> T? {
        try state.reader.readByte(for: "Optional<\(T.self)>") == 0 ? nil : try state.decode(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(KeyedFieldDecoder<NestedKey>(state: state))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw UnsupportedShape(what: "an unkeyed container")
    }

    func superDecoder() throws -> any Decoder { FieldDecoder(state: state) }
    func superDecoder(forKey key: Key) throws -> any Decoder { FieldDecoder(state: state) }
}

struct SingleFieldDecoder: SingleValueDecodingContainer {
    let state: RecordDecodingState
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool {
        guard state.reader.peek() == 0 else { return false }
        _ = try? state.reader.readByte(for: "nil")
        return true
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try state.decode(T.self) }
}
