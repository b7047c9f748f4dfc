/// Decompresses one format's stream, a chunk at a time (``ZstdDecoder``, ``GzipDecoder``).
protocol StreamDecoder {
    /// The format's name, and what its stream is made of, for messages ("zstd", "frame").
    static var format: String { get }
    static var unit: String { get }
    /// How many compressed bytes to read at a time.
    static var inputSize: Int { get }
    /// Whether `byte`, between two units, is padding to skip (gzip's zero bytes).
    static func isPadding(_ byte: UInt8) -> Bool

    init(file: InputFile) throws
    /// Decompresses from `input` into `output`: how many bytes of each it used.
    /// - Throws: ``InputError`` `corruptCompressedFile` naming the file.
    mutating func decode(_ input: UnsafeMutableRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int)
    /// Whether the stream may end here: between units.
    var isBetweenUnits: Bool { get }
}

/// A compressed input file decompressed as it is read, from its start to its end: one split. A stream that ends
/// inside a unit (a truncated file) throws ``InputError`` `corruptCompressedFile`, naming the file.
struct CompressedFileSource<Decoder: StreamDecoder>: ByteSource {
    let file: InputFile
    private let reader: ReadableFile
    private var decoder: Decoder
    private var input: [UInt8]
    private var inputStart = 0
    private var inputEnd = 0
    /// The compressed bytes read so far.
    private(set) var compressedBytesRead: Int64 = 0
    private var inputExhausted = false

    init(file: InputFile) throws {
        self.file = file
        do { reader = try ReadableFile(path: file.path) } catch {
            throw InputError(.unreadable, path: file.path, "input '\(file.path)' cannot be read: \(error)")
        }
        try SplitReader.checkUnchanged(reader, file)
        decoder = try Decoder(file: file)
        input = [UInt8](repeating: 0, count: Decoder.inputSize)
    }

    /// Throws ``InputError`` `changed` if the file no longer matches its planned fingerprint.
    func checkUnchanged() throws { try SplitReader.checkUnchanged(reader, file) }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if inputStart == inputEnd, !inputExhausted {
                let (reader, offset) = (reader, compressedBytesRead)
                let count = try input.withUnsafeMutableBytes { try reader.read(into: $0, at: offset) }
                compressedBytesRead += Int64(count)
                inputStart = 0
                inputEnd = count
                inputExhausted = count == 0
            }
            if inputStart == inputEnd, inputExhausted {
                guard decoder.isBetweenUnits else {
                    throw InputError(
                        .corruptCompressedFile, path: file.path,
                        "compressed input '\(file.path)' is truncated: its \(Decoder.format) stream ends inside a \(Decoder.unit); recompress or replace the file"
                    )
                }
                return 0
            }
            if decoder.isBetweenUnits {
                while inputStart < inputEnd, Decoder.isPadding(input[inputStart]) { inputStart += 1 }
                if inputStart == inputEnd { continue }
            }
            let (start, end) = (inputStart, inputEnd)
            let (consumed, produced) = try input.withUnsafeMutableBytes { raw in
                try decoder.decode(UnsafeMutableRawBufferPointer(rebasing: raw[start..<end]), into: buffer)
            }
            inputStart += consumed
            if produced > 0 { return produced }
        }
    }
}
