import Testing
import Zstd

/// A source shorter than ``ZstdCompressor/smallestCompressed`` is stored in a zstd frame of one raw block: zstd's
/// fixed cost per frame outweighs what compressing a few hundred bytes saves. The frame must be one every zstd
/// decoder reads back exactly, with its content size declared; a longer source is compressed as before.
@Suite struct ZstdStoredFrameTests {
    /// Compresses `source` and decompresses the result with a fresh decompressor.
    func roundTrip(_ source: [UInt8]) throws -> (stored: Int, back: [UInt8]) {
        var frame = [UInt8](repeating: 0, count: ZstdCompressor.maximumCompressedSize(of: source.count))
        let stored = try source.withUnsafeBytes { source in try frame.withUnsafeMutableBytes { try ZstdCompressor().compress(source, into: $0) } }
        var back = [UInt8](repeating: 0, count: source.count + 64)
        let count = try frame.withUnsafeBytes { frame in
            try back.withUnsafeMutableBytes { try ZstdDecompressor().decompress(UnsafeRawBufferPointer(rebasing: frame[..<stored]), into: $0) }
        }
        return (stored, Array(back[..<count]))
    }

    @Test(arguments: [0, 1, 200, 255, 256, 257, 700, 1023])
    func aShortSourceIsStoredAndReadBackExactly(count: Int) throws {
        let source = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 7 % 13) }
        let (stored, back) = try roundTrip(source)
        #expect(back == source)
        // Magic, header descriptor, content size (one byte below 256, else two), block header: nothing compressed.
        #expect(stored == count + 4 + 1 + (count < 256 ? 1 : 2) + 3)
    }

    @Test func aSourceOfAKilobyteOrMoreIsCompressed() throws {
        let source = [UInt8](repeating: 0x61, count: ZstdCompressor.smallestCompressed)
        let (stored, back) = try roundTrip(source)
        #expect(back == source)
        #expect(stored < 100)
    }
}
