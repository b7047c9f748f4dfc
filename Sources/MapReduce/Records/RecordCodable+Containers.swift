extension Optional: RecordCodable where Wrapped: RecordCodable {
    /// 0x00 for `nil`, which sorts first; 0x01 followed by the wrapped value otherwise.
    @inlinable public func encode(to writer: inout RecordWriter) {
        switch self {
        case .none: writer.write(0)
        case .some(let wrapped):
            writer.write(1)
            wrapped.encode(to: &writer)
        }
    }

    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) {
        switch try reader.readByte(for: "Optional<\(Wrapped.self)>") {
        case 0: self = .none
        case 1: self = .some(try Wrapped(from: &reader))
        case let other:
            throw RecordDecodingError(type: "Optional<\(Wrapped.self)>", reason: "0x\(String(other, radix: 16)) is not 0 or 1")
        }
    }
}

extension Array: RecordCodable where Element: RecordCodable {
    /// Each element preceded by 0x01, then 0x00: arrays compare element by element, a prefix first.
    /// `[UInt8]` is stored as a byte string instead (the same order, one byte per byte).
    @inlinable public func encode(to writer: inout RecordWriter) {
        if Element.self == UInt8.self {
            withUnsafeBytes { writer.writeByteString($0) }
            return
        }
        for element in self {
            writer.write(1)
            element.encode(to: &writer)
        }
        writer.write(0)
    }

    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) {
        if Element.self == UInt8.self {
            let bytes = try reader.readByteString(for: "[UInt8]") { [UInt8]($0) }
            // Element is UInt8 (checked above): reinterpret instead of `as!`, which copies element by element.
            self = unsafeBitCast(bytes, to: [Element].self)
            return
        }
        var elements: [Element] = []
        while true {
            switch try reader.readByte(for: "[\(Element.self)]") {
            case 0:
                self = elements
                return
            case 1: elements.append(try Element(from: &reader))
            case let other:
                throw RecordDecodingError(type: "[\(Element.self)]", reason: "0x\(String(other, radix: 16)) is not an element marker")
            }
        }
    }
}
