internal import CZstd

/// Decompresses a `.zst` stream (one or more frames) piece by piece, for input files read sequentially.
///
/// Not thread-safe.
public final class ZstdStreamDecompressor {
    private let stream: OpaquePointer
    private var sawInput = false
    private var frameOpen = false

    /// Creates a stream decompressor.
    public init() {
        guard let stream = ZSTD_createDStream() else { fatalError("ZSTD_createDStream: out of memory") }
        self.stream = stream
        ZSTD_initDStream(stream)
    }

    deinit { ZSTD_freeDStream(stream) }

    /// A good size for compressed input chunks.
    public static var recommendedInputSize: Int { ZSTD_DStreamInSize() }

    /// Decompresses as much of `input` (starting at `inputOffset`) as fits into `output`.
    ///
    /// - Returns: how many input bytes were consumed and how many output bytes were produced.
    public func decompress(
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(ZstdError) -> (consumed: Int, produced: Int) {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let result = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
        if ZSTD_isError(result) != 0 {
            throw ZstdError(operation: "decompress stream", reason: ZstdCompressor.errorName(result))
        }
        if inBuffer.pos > 0 { sawInput = true }
        frameOpen = result != 0
        return (inBuffer.pos, outBuffer.pos)
    }

    /// Whether the input seen so far ended on a frame boundary (a complete stream).
    public var isAtFrameBoundary: Bool { !frameOpen }
}
