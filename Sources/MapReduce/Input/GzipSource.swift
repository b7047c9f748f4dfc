import CZlib

/// The decompressed bytes of a gzip file (RFC 1952), read as a stream: one member or several concatenated (as
/// `cat a.gz b.gz` makes), zero bytes after the last ignored (as `gzip -d` does). A truncated or damaged stream
/// throws ``InputError`` `corruptCompressedFile`, naming the file.
struct GzipSource: WholeFileSource {
    let file: InputFile
    private let reader: ReadableFile
    private let inflater: Inflater
    private var input: [UInt8]
    private var inputStart = 0
    private var inputEnd = 0
    private(set) var compressedBytesRead: Int64 = 0
    private var inputExhausted = false

    init(file: InputFile) throws {
        self.file = file
        do { reader = try ReadableFile(path: file.path) } catch {
            throw InputError(.unreadable, path: file.path, "input '\(file.path)' cannot be read: \(error)")
        }
        try SplitReader.checkUnchanged(reader, file)
        inflater = try Inflater(file: file)
        input = [UInt8](repeating: 0, count: 1 << 17)
    }

    func checkUnchanged() throws { try SplitReader.checkUnchanged(reader, file) }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if inputStart == inputEnd, !inputExhausted {
                let count = try input.withUnsafeMutableBytes { try reader.read(into: $0, at: compressedBytesRead) }
                compressedBytesRead += Int64(count)
                inputStart = 0
                inputEnd = count
                inputExhausted = count == 0
            }
            if inputStart == inputEnd, inputExhausted {
                guard inflater.isAtMemberEnd else {
                    throw InputError(
                        .corruptCompressedFile, path: file.path,
                        "compressed input '\(file.path)' is truncated: its gzip stream ends inside a member; recompress or replace the file")
                }
                return 0
            }
            if inflater.isAtMemberEnd {
                // Zero bytes after a member are padding (tape blocks); anything else must be the next member.
                while inputStart < inputEnd, input[inputStart] == 0 { inputStart += 1 }
                if inputStart == inputEnd { continue }
            }
            let (consumed, produced) = try input.withUnsafeMutableBytes { raw in
                try inflater.inflate(UnsafeMutableRawBufferPointer(rebasing: raw[inputStart..<inputEnd]), into: buffer)
            }
            inputStart += consumed
            if produced > 0 { return produced }
        }
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
            // 15 + 16: a window of 32 KiB, and a gzip header and trailer (its CRC-32 and length checked).
            guard inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                stream.deallocate()
                throw InputError(.unreadable, path: file.path, "input '\(file.path)' cannot be decompressed: zlib could not start (out of memory?)")
            }
        }

        deinit {
            inflateEnd(stream)
            stream.deallocate()
        }

        /// Decompresses from `input` into `output`: how many bytes of each it used.
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
