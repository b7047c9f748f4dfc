/// Encodes a flat `Encodable` value as the fields of one CSV or TSV row: a struct's stored properties in order
/// (their coding keys name the header's columns), or a single value as one field named `value`.
///
/// A field is a `String`, `Bool`, integer, floating-point number, `nil` (an empty field), or any type that encodes
/// itself as one of these (a `RawRepresentable` enum, for example); nested structs and arrays are rejected.
enum RowEncoder {
    /// One encoded field: its name and its text (`nil` for a `nil` value).
    typealias Field = (name: String, text: String?)

    /// The fields of `value`.
    static func fields(of value: some Encodable) throws -> [Field] {
        let storage = Storage()
        try value.encode(to: FieldSink(storage: storage, codingPath: [], topLevel: true))
        if storage.nested { throw nestingError(storage.nestedPath) }
        return storage.fields
    }

    final class Storage {
        var fields: [Field] = []
        /// Set when a value tried to encode a nested container: rows are flat.
        var nested = false
        var nestedPath: [any CodingKey] = []
    }

    static func nestingError(_ path: [any CodingKey]) -> EncodingError {
        let name = path.map(\.stringValue).joined(separator: ".")
        return EncodingError.invalidValue(
            name, .init(codingPath: path, debugDescription: "a CSV or TSV row holds only flat fields, but '\(name)' is a nested value; flatten it into fields"))
    }
}

/// Encodes a value: at the top level a keyed container makes the row's fields; below it only single values may be
/// encoded, and anything else marks the row as nested.
private struct FieldSink: Encoder {
    let storage: RowEncoder.Storage
    let codingPath: [any CodingKey]
    let topLevel: Bool
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        guard topLevel else {
            markNested()
            return KeyedEncodingContainer(NestedContainer<Key>(storage: storage, codingPath: codingPath))
        }
        return KeyedEncodingContainer(RowContainer<Key>(storage: storage, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        markNested()
        return NestedContainer<AnyCodingKey>(storage: storage, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        FieldContainer(storage: storage, name: codingPath.last?.stringValue ?? "value", codingPath: codingPath)
    }

    private func markNested() {
        if !storage.nested { storage.nestedPath = codingPath }
        storage.nested = true
    }
}

/// The row's fields, one per property.
private struct RowContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: RowEncoder.Storage
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { storage.fields.append((key.stringValue, nil)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { storage.fields.append((key.stringValue, value ? "true" : "false")) }
    mutating func encode(_ value: String, forKey key: Key) throws { storage.fields.append((key.stringValue, value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { storage.fields.append((key.stringValue, value.description)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try value.encode(to: FieldSink(storage: storage, codingPath: codingPath + [key], topLevel: false))
    }

    // A `nil` optional is an empty field, not a missing one: every row has the same columns.
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        FieldSink(storage: storage, codingPath: codingPath + [key], topLevel: false).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        FieldSink(storage: storage, codingPath: codingPath + [key], topLevel: false).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { FieldSink(storage: storage, codingPath: codingPath, topLevel: false) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { FieldSink(storage: storage, codingPath: codingPath + [key], topLevel: false) }
}

/// One field's value.
private struct FieldContainer: SingleValueEncodingContainer {
    let storage: RowEncoder.Storage
    let name: String
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { storage.fields.append((name, nil)) }
    mutating func encode(_ value: Bool) throws { storage.fields.append((name, value ? "true" : "false")) }
    mutating func encode(_ value: String) throws { storage.fields.append((name, value)) }
    mutating func encode(_ value: Double) throws { storage.fields.append((name, value.description)) }
    mutating func encode(_ value: Float) throws { storage.fields.append((name, value.description)) }
    mutating func encode(_ value: Int) throws { storage.fields.append((name, value.description)) }
    mutating func encode(_ value: Int8) throws { storage.fields.append((name, value.description)) }
    mutating func encode(_ value: Int16) throws { storage.fields.append((name, value.description)) }
    mutating func encode(_ value: Int32) throws { storage.fields.append((name, value.description)) }
    mutating func encode(_ value: Int64) throws { storage.fields.append((name, value.description)) }
    mutating func encode(_ value: UInt) throws { storage.fields.append((name, value.description)) }
    mutating func encode(_ value: UInt8) throws { storage.fields.append((name, value.description)) }
    mutating func encode(_ value: UInt16) throws { storage.fields.append((name, value.description)) }
    mutating func encode(_ value: UInt32) throws { storage.fields.append((name, value.description)) }
    mutating func encode(_ value: UInt64) throws { storage.fields.append((name, value.description)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: FieldSink(storage: storage, codingPath: codingPath, topLevel: false)) }
}

/// Accepts and drops a nested value's contents; the row was already marked as nested.
private struct NestedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol, UnkeyedEncodingContainer {
    let storage: RowEncoder.Storage
    let codingPath: [any CodingKey]
    var count: Int { 0 }

    mutating func encodeNil(forKey key: Key) throws {}
    mutating func encode(_ value: Bool, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: String, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: Double, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: Float, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: Int, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: Int8, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: Int16, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: Int32, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: Int64, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: UInt, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { storage.nested = true }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { storage.nested = true }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {}
    mutating func encodeNil() throws {}
    mutating func encode(_ value: Bool) throws { storage.nested = true }
    mutating func encode(_ value: String) throws { storage.nested = true }
    mutating func encode(_ value: Double) throws { storage.nested = true }
    mutating func encode(_ value: Float) throws { storage.nested = true }
    mutating func encode(_ value: Int) throws { storage.nested = true }
    mutating func encode(_ value: Int8) throws { storage.nested = true }
    mutating func encode(_ value: Int16) throws { storage.nested = true }
    mutating func encode(_ value: Int32) throws { storage.nested = true }
    mutating func encode(_ value: Int64) throws { storage.nested = true }
    mutating func encode(_ value: UInt) throws { storage.nested = true }
    mutating func encode(_ value: UInt8) throws { storage.nested = true }
    mutating func encode(_ value: UInt16) throws { storage.nested = true }
    mutating func encode(_ value: UInt32) throws { storage.nested = true }
    mutating func encode(_ value: UInt64) throws { storage.nested = true }
    mutating func encode<T: Encodable>(_ value: T) throws {}

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(NestedContainer<NestedKey>(storage: storage, codingPath: codingPath))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(NestedContainer<NestedKey>(storage: storage, codingPath: codingPath))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { self }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
    mutating func superEncoder() -> any Encoder { FieldSink(storage: storage, codingPath: codingPath, topLevel: false) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { FieldSink(storage: storage, codingPath: codingPath, topLevel: false) }
}

/// A coding key for containers that have none of their own.
private struct AnyCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }
    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
