internal import CZstd

/// Decompresses blocks whose decompressed size is known, with one reusable libzstd context.
///
/// Not thread-safe: give each thread its own decompressor.
public final class ZstdDecompressor {
    private let context: OpaquePointer

    /// Creates a decompressor.
    public init() {
        guard let context = ZSTD_createDCtx() else { fatalError("ZSTD_createDCtx: out of memory") }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses `source` into `destination`.
    /// - Returns: the decompressed size.
    public func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(ZstdError) -> Int {
        let result = ZSTD_decompressDCtx(context, destination.baseAddress, destination.count, source.baseAddress, source.count)
        if ZSTD_isError(result) != 0 {
            throw ZstdError(operation: "decompress", reason: ZstdCompressor.errorName(result))
        }
        return result
    }
}
