public import CMapReduceSupport

/// Accumulates the encoding of records; reused across records to avoid allocating per record.
public struct RecordWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    /// Creates an empty writer with room for `capacity` bytes.
    @inlinable
    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Forgets the bytes written, keeping the storage.
    @inlinable
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Appends one byte.
    @inlinable
    public mutating func write(_ byte: UInt8) { bytes.append(byte) }

    /// Appends raw bytes.
    @inlinable
    public mutating func write(_ buffer: UnsafeRawBufferPointer) { bytes.append(contentsOf: buffer) }

    /// Appends the low `count` bytes of `value`, most significant first.
    @inlinable
    public mutating func writeBigEndian(_ value: UInt64, count: Int) {
        var shift = (count - 1) * 8
        while shift >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }

    /// Appends `buffer` as a self-delimiting, order-preserving byte string: each 0x00 becomes 0x00 0xFF, and
    /// 0x00 0x01 ends the string.
    @inlinable
    public mutating func writeByteString(_ buffer: UnsafeRawBufferPointer) {
        if mr_find_zero(buffer.baseAddress, buffer.count) == buffer.count {
            bytes.append(contentsOf: buffer)
        } else {
            for byte in buffer {
                bytes.append(byte)
                if byte == 0 { bytes.append(0xFF) }
            }
        }
        bytes.append(0x00)
        bytes.append(0x01)
    }
}
