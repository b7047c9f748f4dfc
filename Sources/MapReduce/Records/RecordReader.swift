public import CMapReduceSupport

/// Reads encoded records from a borrowed buffer.
public struct RecordReader {
    @usableFromInline let buffer: UnsafeRawBufferPointer
    @usableFromInline var position: Int

    /// Reads from `buffer`, which must stay valid while the reader is used.
    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
        self.position = 0
    }

    /// Whether every byte has been read.
    @inlinable
    public var isAtEnd: Bool { position == buffer.count }

    /// How many bytes are left.
    @inlinable
    public var remaining: Int { buffer.count - position }

    /// Throws unless every byte has been read: a value of `type` must span all of its bytes.
    @inlinable
    func requireEnd(of type: @autoclosure () -> String) throws(RecordDecodingError) {
        guard isAtEnd else { throw RecordDecodingError(type: type(), reason: "\(remaining) bytes left over after the value") }
    }

    /// The next byte, without consuming it.
    @inlinable
    public func peek() -> UInt8? { position < buffer.count ? buffer[position] : nil }

    /// Consumes one byte.
    @inlinable
    public mutating func readByte(for type: @autoclosure () -> String) throws(RecordDecodingError) -> UInt8 {
        guard position < buffer.count else { throw RecordDecodingError(type: type(), reason: "input ends early") }
        defer { position += 1 }
        return buffer[position]
    }

    /// Consumes `count` bytes as a big-endian unsigned integer.
    @inlinable
    public mutating func readBigEndian(count: Int, for type: @autoclosure () -> String) throws(RecordDecodingError) -> UInt64 {
        guard count <= remaining else { throw RecordDecodingError(type: type(), reason: "input ends early") }
        var value: UInt64 = 0
        for index in position..<(position + count) { value = value << 8 | UInt64(buffer[index]) }
        position += count
        return value
    }

    /// Consumes a byte string written by ``RecordWriter/writeByteString(_:)`` and passes its bytes to `body`.
    @inlinable
    public mutating func readByteString<R>(
        for type: @autoclosure () -> String,
        _ body: (UnsafeRawBufferPointer) throws(RecordDecodingError) -> R
    ) throws(RecordDecodingError) -> R {
        let start = position
        // An empty byte string (every value of a sort) is its terminator alone: no search.
        if start + 1 < buffer.count, buffer[start] == 0x00, buffer[start + 1] == 0x01 {
            position = start + 2
            return try body(UnsafeRawBufferPointer(rebasing: buffer[start..<start]))
        }
        var index = start
        var escaped = false
        while true {
            let zero = index + mr_find_zero(buffer.baseAddress.map { $0 + index }, buffer.count - index)
            guard zero + 1 < buffer.count else {
                throw RecordDecodingError(type: type(), reason: "byte string has no terminator")
            }
            switch buffer[zero + 1] {
            case 0x01:
                position = zero + 2
                let raw = UnsafeRawBufferPointer(rebasing: buffer[start..<zero])
                if !escaped { return try body(raw) }
                var unescaped: [UInt8] = []
                unescaped.reserveCapacity(raw.count)
                var i = 0
                while i < raw.count {
                    unescaped.append(raw[i])
                    i += raw[i] == 0 ? 2 : 1
                }
                return try unescaped.withUnsafeBytes { bytes in Result { () throws(RecordDecodingError) -> R in try body(bytes) } }.get()
            case 0xFF:
                escaped = true
                index = zero + 2
            default:
                throw RecordDecodingError(type: type(), reason: "byte string has an invalid escape 0x00 0x\(String(buffer[zero + 1], radix: 16))")
            }
        }
    }
}
