/// Constants of the intermediate (shuffle) file format, version 1. `Docs/IntermediateFileFormat.md` in the
/// repository describes the layout byte by byte.
enum IntermediateFileFormat {
    /// "MRIF": the first four bytes of every intermediate file.
    static let magic: [UInt8] = [0x4D, 0x52, 0x49, 0x46]
    /// "FIRM": the last four bytes of every complete intermediate file.
    static let endMagic: [UInt8] = [0x46, 0x49, 0x52, 0x4D]
    static let version: UInt8 = 1
    static let headerSize = 8
    /// Tag (1) + stored length (4) + raw length (4) + record count (4) + checksum (8).
    static let blockHeaderSize = 21
    /// Tag (1) + records (8) + raw bytes (8) + blocks (4) + checksum of block checksums (8) + end magic (4).
    static let trailerSize = 33
    static let blockTag: UInt8 = 0x42  // "B"
    static let trailerTag: UInt8 = 0x54  // "T"

    /// How a file's blocks are stored.
    enum Codec: UInt8 {
        case none = 0
        case zstd = 1
    }
}

/// Little-endian field access for the format's headers.
extension UnsafeRawBufferPointer {
    func littleEndian<T: FixedWidthInteger>(at offset: Int, as: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

/// Unsigned LEB128, for record lengths inside blocks.
enum VarInt {
    @inline(__always)
    static func write(_ value: Int, to pointer: UnsafeMutableRawPointer) -> Int {
        var remaining = UInt(value)
        var count = 0
        while remaining >= 0x80 {
            pointer.storeBytes(of: UInt8(truncatingIfNeeded: remaining) | 0x80, toByteOffset: count, as: UInt8.self)
            remaining >>= 7
            count += 1
        }
        pointer.storeBytes(of: UInt8(remaining), toByteOffset: count, as: UInt8.self)
        return count + 1
    }

    /// Reads a value at `offset`, advancing it; `nil` if the bytes end first or the value is too long.
    @inline(__always)
    static func read(_ buffer: UnsafeRawBufferPointer, at offset: inout Int) -> Int? {
        var value = 0
        var shift = 0
        while offset < buffer.count, shift < 63 {
            let byte = buffer[offset]
            offset += 1
            value |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
