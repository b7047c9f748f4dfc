extension Bool: RecordCodable {
    /// `false` is 0x00, `true` is 0x01.
    @inlinable public func encode(to writer: inout RecordWriter) { writer.write(self ? 1 : 0) }

    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) {
        switch try reader.readByte(for: "Bool") {
        case 0: self = false
        case 1: self = true
        case let other: throw RecordDecodingError(type: "Bool", reason: "0x\(String(other, radix: 16)) is not 0 or 1")
        }
    }
}

extension Double: RecordCodable {
    /// Eight big-endian bytes of the IEEE 754 bits, with the sign bit flipped for positive numbers and every bit
    /// flipped for negative ones, so byte order is numeric order.
    @inlinable public func encode(to writer: inout RecordWriter) {
        let bits = bitPattern
        writer.writeBigEndian(bits >> 63 == 1 ? ~bits : bits | 1 << 63, count: 8)
    }

    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) {
        let stored = try reader.readBigEndian(count: 8, for: "Double")
        self = Double(bitPattern: stored >> 63 == 1 ? stored & ~(1 << 63) : ~stored)
    }
}

extension String: RecordCodable {
    /// The UTF-8 bytes as a byte string (see ``RecordWriter/writeByteString(_:)``): order is the order of
    /// Unicode scalar values, the same as comparing `utf8` views.
    @inlinable public func encode(to writer: inout RecordWriter) {
        var copy = self
        copy.withUTF8 { writer.writeByteString(UnsafeRawBufferPointer($0)) }
    }

    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) {
        self = try reader.readByteString(for: "String") { bytes in String(decoding: bytes, as: UTF8.self) }
    }
}

extension Float: RecordCodable {
    /// Four big-endian bytes, transformed like `Double`'s so byte order is numeric order.
    @inlinable public func encode(to writer: inout RecordWriter) {
        let bits = UInt64(bitPattern)
        writer.writeBigEndian(bits >> 31 == 1 ? ~bits & 0xFFFF_FFFF : bits | 1 << 31, count: 4)
    }

    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) {
        let stored = UInt32(try reader.readBigEndian(count: 4, for: "Float"))
        self = Float(bitPattern: stored >> 31 == 1 ? stored & ~(1 << 31) : ~stored)
    }
}
