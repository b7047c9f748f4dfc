// Integers share one order-preserving variable-length form: a code byte, then the fewest big-endian bytes that
// hold the magnitude. 0x80 is zero; 0x80 + n is a non-negative value in n bytes; 0x80 - n is a negative value
// whose n bytes are the one's complement of its magnitude. Small values take two bytes; every width agrees, so
// an `Int` key and a `UInt8` key of the same value encode identically.

extension RecordWriter {
    /// Appends a non-negative integer in the shared integer form.
    @inlinable
    public mutating func writeInteger(unsigned value: UInt64) {
        let count = (UInt64.bitWidth - value.leadingZeroBitCount + 7) / 8
        write(0x80 + UInt8(count))
        writeBigEndian(value, count: count)
    }

    /// Appends a signed integer in the shared integer form.
    @inlinable
    public mutating func writeInteger(signed value: Int64) {
        if value >= 0 { return writeInteger(unsigned: UInt64(value)) }
        let magnitude = value.magnitude
        let count = (UInt64.bitWidth - magnitude.leadingZeroBitCount + 7) / 8
        let allOnes: UInt64 = count == 8 ? .max : (1 << UInt64(count * 8)) - 1
        write(0x80 - UInt8(count))
        writeBigEndian(allOnes - magnitude, count: count)
    }
}

extension RecordReader {
    /// Consumes an integer in the shared form, as a sign and a magnitude.
    @inlinable
    public mutating func readInteger(for type: @autoclosure () -> String) throws(RecordDecodingError) -> (negative: Bool, magnitude: UInt64) {
        let code = try readByte(for: type())
        guard code >= 0x78, code <= 0x88 else {
            throw RecordDecodingError(type: type(), reason: "0x\(String(code, radix: 16)) is not an integer code")
        }
        if code >= 0x80 {
            return (false, try readBigEndian(count: Int(code - 0x80), for: type()))
        }
        let count = Int(0x80 - code)
        let stored = try readBigEndian(count: count, for: type())
        let allOnes: UInt64 = count == 8 ? .max : (1 << UInt64(count * 8)) - 1
        return (true, allOnes - stored)
    }

    @inlinable
    mutating func readInteger<T: FixedWidthInteger>(as: T.Type) throws(RecordDecodingError) -> T {
        let (negative, magnitude) = try readInteger(for: "\(T.self)")
        if negative {
            guard T.isSigned, magnitude <= UInt64(T.max) + 1 else {
                throw RecordDecodingError(type: "\(T.self)", reason: "-\(magnitude) is out of range")
            }
            return magnitude == UInt64(T.max) + 1 ? T.min : 0 - T(magnitude)
        }
        guard let value = T(exactly: magnitude) else {
            throw RecordDecodingError(type: "\(T.self)", reason: "\(magnitude) is out of range")
        }
        return value
    }
}

extension Int: RecordCodable {
    @inlinable public func encode(to writer: inout RecordWriter) { writer.writeInteger(signed: Int64(self)) }
    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) { self = try reader.readInteger(as: Int.self) }
}

extension Int8: RecordCodable {
    @inlinable public func encode(to writer: inout RecordWriter) { writer.writeInteger(signed: Int64(self)) }
    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) { self = try reader.readInteger(as: Int8.self) }
}

extension Int16: RecordCodable {
    @inlinable public func encode(to writer: inout RecordWriter) { writer.writeInteger(signed: Int64(self)) }
    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) { self = try reader.readInteger(as: Int16.self) }
}

extension Int32: RecordCodable {
    @inlinable public func encode(to writer: inout RecordWriter) { writer.writeInteger(signed: Int64(self)) }
    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) { self = try reader.readInteger(as: Int32.self) }
}

extension Int64: RecordCodable {
    @inlinable public func encode(to writer: inout RecordWriter) { writer.writeInteger(signed: self) }
    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) { self = try reader.readInteger(as: Int64.self) }
}

extension UInt: RecordCodable {
    @inlinable public func encode(to writer: inout RecordWriter) { writer.writeInteger(unsigned: UInt64(self)) }
    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) { self = try reader.readInteger(as: UInt.self) }
}

extension UInt8: RecordCodable {
    @inlinable public func encode(to writer: inout RecordWriter) { writer.writeInteger(unsigned: UInt64(self)) }
    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) { self = try reader.readInteger(as: UInt8.self) }
}

extension UInt16: RecordCodable {
    @inlinable public func encode(to writer: inout RecordWriter) { writer.writeInteger(unsigned: UInt64(self)) }
    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) { self = try reader.readInteger(as: UInt16.self) }
}

extension UInt32: RecordCodable {
    @inlinable public func encode(to writer: inout RecordWriter) { writer.writeInteger(unsigned: UInt64(self)) }
    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) { self = try reader.readInteger(as: UInt32.self) }
}

extension UInt64: RecordCodable {
    @inlinable public func encode(to writer: inout RecordWriter) { writer.writeInteger(unsigned: self) }
    @inlinable public init(from reader: inout RecordReader) throws(RecordDecodingError) { self = try reader.readInteger(as: UInt64.self) }
}
