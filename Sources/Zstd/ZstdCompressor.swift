internal import CZstd

/// Compresses independent blocks with one reusable libzstd context.
///
/// Not thread-safe: give each thread its own compressor.
public final class ZstdCompressor {
    private let context: OpaquePointer
    /// The compression level (1 is fast; up to 19, or 22 with more memory).
    public let level: Int32

    /// Creates a compressor at `level`.
    public init(level: Int32 = 1) {
        guard let context = ZSTD_createCCtx() else { fatalError("ZSTD_createCCtx: out of memory") }
        self.context = context
        self.level = level
    }

    deinit { ZSTD_freeCCtx(context) }

    /// The largest compressed size of `count` input bytes.
    public static func maximumCompressedSize(of count: Int) -> Int { ZSTD_compressBound(count) }

    /// Sources shorter than this are stored in a zstd frame of one raw block (``store(_:into:)``), not compressed.
    ///
    /// zstd's cost per frame has a fixed part (its context reset, entropy tables built and described): about
    /// 4 µs to compress and 2 µs to decompress on a 2-core VM, whatever the frame's size. On a word count's
    /// shuffle records that made 370-byte frames (256 partitions of a 256 KiB split) cost 62 ns of CPU per byte
    /// saved, at a ratio of 1.33, against 16 ns for 2 KB frames and 6 ns for 35 KB ones; writing a byte to a
    /// 100 MB/s network filesystem and reading it back costs 20 ns. Below a kilobyte, compressing costs more
    /// than it saves wherever the shared directory is.
    public static let smallestCompressed = 1024

    /// Compresses `source` into `destination`, which must hold `maximumCompressedSize(of: source.count)` bytes; a
    /// source shorter than ``smallestCompressed`` is stored as it is, in a zstd frame all the same.
    /// - Returns: the compressed size.
    public func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(ZstdError) -> Int {
        if source.count < Self.smallestCompressed { return Self.store(source, into: destination) }
        let result = ZSTD_compressCCtx(context, destination.baseAddress, destination.count, source.baseAddress, source.count, level)
        if ZSTD_isError(result) != 0 { throw ZstdError(operation: "compress", reason: Self.errorName(result)) }
        return result
    }

    /// Writes `source` (shorter than ``smallestCompressed``) into `destination` as a zstd frame of one raw block
    /// (RFC 8878: magic number, a single-segment frame header with the content size, a block header, the bytes),
    /// which any zstd decoder reads back with a copy.
    /// - Returns: the frame's size, at most 10 bytes more than the source's.
    static func store(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Int {
        precondition(source.count < smallestCompressed && destination.count >= maximumCompressedSize(of: source.count))
        var size = 0
        func put(_ bytes: UInt8...) {
            for byte in bytes {
                destination[size] = byte
                size += 1
            }
        }
        put(0x28, 0xB5, 0x2F, 0xFD)
        // Frame header descriptor: the single-segment flag (0x20), and the content size in one byte below 256,
        // else in two, less 256 (flag 1: 0x40).
        if source.count < 256 {
            put(0x20, UInt8(source.count))
        } else {
            put(0x60, UInt8(truncatingIfNeeded: source.count - 256), UInt8(truncatingIfNeeded: (source.count - 256) >> 8))
        }
        // Block header, little-endian: the last block (bit 0), raw (type 0, bits 1-2), its size from bit 3.
        let block = source.count << 3 | 1
        put(UInt8(truncatingIfNeeded: block), UInt8(truncatingIfNeeded: block >> 8), UInt8(truncatingIfNeeded: block >> 16))
        UnsafeMutableRawBufferPointer(rebasing: destination[size...]).copyMemory(from: source)
        return size + source.count
    }

    static func errorName(_ code: Int) -> String { String(cString: ZSTD_getErrorName(code)) }
}
