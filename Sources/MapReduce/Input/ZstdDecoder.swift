import Zstd

/// zstd frames (`.zst` inputs), one after another.
struct ZstdDecoder: StreamDecoder {
    static let format = "zstd"
    static let unit = "frame"
    static var inputSize: Int { max(ZstdStreamDecompressor.recommendedInputSize, 1 << 17) }
    static func isPadding(_ byte: UInt8) -> Bool { false }

    private let file: InputFile
    private let decompressor = ZstdStreamDecompressor()

    init(file: InputFile) { self.file = file }

    var isBetweenUnits: Bool { decompressor.isAtFrameBoundary }

    mutating func decode(_ input: UnsafeMutableRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int) {
        do {
            return try decompressor.decompress(UnsafeRawBufferPointer(input), into: output)
        } catch {
            throw InputError(
                .corruptCompressedFile, path: file.path, "compressed input '\(file.path)' is corrupt (\(error.reason)); recompress or replace the file")
        }
    }
}
