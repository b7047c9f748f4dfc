/// Constants of the intermediate (shuffle) file format, version 2. `Docs/IntermediateFileFormat.md` in the
/// repository describes the layout byte by byte.
///
/// A file holds one or more partitions, each a contiguous run of blocks, and ends with an index of the runs and a
/// fixed-size trailer that locates and checksums the index: a map attempt writes all R partitions into one file,
/// and a reducer reads only its run.
enum IntermediateFileFormat {
    /// "MRIF": the first four bytes of every intermediate file.
    static let magic: [UInt8] = [0x4D, 0x52, 0x49, 0x46]
    /// "FIRM": the last four bytes of every complete intermediate file.
    static let endMagic: [UInt8] = [0x46, 0x49, 0x52, 0x4D]
    static let version: UInt8 = 2
    static let headerSize = 8
    /// Tag (1) + stored length (4) + raw length (4) + record count (4) + checksum (8).
    static let blockHeaderSize = 21
    /// Offset (8) + length (8) + records (8) + raw bytes (8) + blocks (4) + checksum of the run's block checksums (8)
    /// + checksum of the entry (8): a reader checks its own entry without reading the others.
    static let indexEntrySize = 52
    /// Tag (1) + index offset (8) + partition count (4) + checksum of the index (8) + end magic (4).
    static let trailerSize = 25
    /// The most partitions one file may index (the largest R a job may have).
    static let maximumPartitions = 1 << 20
    static let blockTag: UInt8 = 0x42  // "B"
    static let trailerTag: UInt8 = 0x54  // "T"

    /// How a file's blocks are stored.
    enum Codec: UInt8 {
        case none = 0
        case zstd = 1
    }
}

/// One partition's run of blocks, as the index of an intermediate file describes it.
struct PartitionRun: Equatable {
    /// Where the run's first block starts.
    var offset: Int64
    /// The run's length in bytes, block headers included.
    var length: Int64
    var records: Int64
    /// The run's uncompressed record bytes.
    var rawBytes: Int64
    var blocks: UInt32
    /// The xxHash64 of the run's block checksums, each as u64 little-endian.
    var checksum: UInt64

    /// Appends the entry of `partition` to an index: its fields, then their xxHash64 seeded with the partition
    /// number (so an entry read at another partition's place does not check).
    func append(to bytes: inout [UInt8], partition: Int) {
        let start = bytes.count
        bytes.appendLittleEndian(UInt64(offset))
        bytes.appendLittleEndian(UInt64(length))
        bytes.appendLittleEndian(UInt64(records))
        bytes.appendLittleEndian(UInt64(rawBytes))
        bytes.appendLittleEndian(blocks)
        bytes.appendLittleEndian(checksum)
        let entryChecksum = bytes.withUnsafeBytes { XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[start...]), seed: UInt64(partition)) }
        bytes.appendLittleEndian(entryChecksum)
    }

    /// The entry of `partition` at `position` of an index, or `nil` if its checksum does not match. Numbers past
    /// `Int64.max` are left for the caller's bounds checks to refuse (they come out negative).
    init?(_ index: UnsafeRawBufferPointer, at position: Int, partition: Int) {
        let fields = UnsafeRawBufferPointer(rebasing: index[position..<(position + IntermediateFileFormat.indexEntrySize - 8)])
        guard XXHash64.hash(fields, seed: UInt64(partition)) == index.littleEndian(at: position + 44, as: UInt64.self) else { return nil }
        offset = Int64(truncatingIfNeeded: index.littleEndian(at: position, as: UInt64.self))
        length = Int64(truncatingIfNeeded: index.littleEndian(at: position + 8, as: UInt64.self))
        records = Int64(truncatingIfNeeded: index.littleEndian(at: position + 16, as: UInt64.self))
        rawBytes = Int64(truncatingIfNeeded: index.littleEndian(at: position + 24, as: UInt64.self))
        blocks = index.littleEndian(at: position + 32, as: UInt32.self)
        checksum = index.littleEndian(at: position + 36, as: UInt64.self)
    }

    init(offset: Int64) {
        self.offset = offset
        length = 0
        records = 0
        rawBytes = 0
        blocks = 0
        checksum = 0
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

/// Unsigned LEB128: record lengths inside blocks, and numbers the wire carries packed (a reduce assignment's map
/// ranges).
package enum VarInt {
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

    /// Appends `value`: 1 to 10 bytes.
    package static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    /// Reads a value of up to 64 bits at `offset`, advancing it; `nil` if the bytes end first, or the value runs
    /// past 64 bits.
    package static func read(_ bytes: [UInt8], at offset: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            let bits = UInt64(byte & 0x7F)
            // The tenth byte may hold only the 64th bit.
            guard shift < 63 || (shift == 63 && bits <= 1) else { return nil }
            value |= bits << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
