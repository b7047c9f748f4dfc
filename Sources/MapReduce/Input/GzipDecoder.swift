import CZlib

/// gzip members (RFC 1952; `.gz` inputs, what logrotate writes), one after another as `cat a.gz b.gz` makes them,
/// zero bytes after a member skipped as `gzip -d` does. Each member's CRC-32 and length are checked.
struct GzipDecoder: StreamDecoder {
    static let format = "gzip"
    static let unit = "member"
    static let inputSize = 1 << 17
    static func isPadding(_ byte: UInt8) -> Bool { byte == 0 }

    private let inflater: Inflater

    init(file: InputFile) throws { inflater = try Inflater(file: file) }

    var isBetweenUnits: Bool { inflater.isAtMemberEnd }

    mutating func decode(_ input: UnsafeMutableRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int) {
        try inflater.inflate(input, into: output)
    }

    /// zlib's inflate state, which must not move in memory while it lives.
    private final class Inflater {
        private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        private let file: InputFile
        /// Whether the last member ended and no byte of another was read.
        private(set) var isAtMemberEnd = false

        init(file: InputFile) throws {
            self.file = file
            stream.initialize(to: z_stream())
            // 15 + 16: a window of 32 KiB, and a gzip header and trailer.
            guard inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                stream.deallocate()
                throw InputError(.unreadable, path: file.path, "input '\(file.path)' cannot be decompressed: zlib could not start (out of memory?)")
            }
        }

        deinit {
            inflateEnd(stream)
            stream.deallocate()
        }

        func inflate(_ input: UnsafeMutableRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int) {
            if isAtMemberEnd {
                inflateReset(stream)
                isAtMemberEnd = false
            }
            stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = uInt(input.count)
            stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let result = CZlib.inflate(stream, Z_NO_FLUSH)
            let consumed = input.count - Int(stream.pointee.avail_in)
            let produced = output.count - Int(stream.pointee.avail_out)
            switch result {
            case Z_STREAM_END:
                isAtMemberEnd = true
            case Z_OK:
                break
            case Z_BUF_ERROR where consumed > 0 || produced > 0:
                break
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(result)"
                throw InputError(
                    .corruptCompressedFile, path: file.path, "compressed input '\(file.path)' is corrupt (\(reason)); recompress or replace the file")
            }
            return (consumed, produced)
        }
    }
}
