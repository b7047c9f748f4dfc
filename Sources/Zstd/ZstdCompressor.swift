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

    /// Compresses `source` into `destination`, which must hold `maximumCompressedSize(of: source.count)` bytes.
    /// - Returns: the compressed size.
    public func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(ZstdError) -> Int {
        let result = ZSTD_compressCCtx(context, destination.baseAddress, destination.count, source.baseAddress, source.count, level)
        if ZSTD_isError(result) != 0 { throw ZstdError(operation: "compress", reason: Self.errorName(result)) }
        return result
    }

    static func errorName(_ code: Int) -> String { String(cString: ZSTD_getErrorName(code)) }
}
