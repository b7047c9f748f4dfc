import Zstd

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the lines of one ``InputSplit`` in large blocks and hands each to a closure, without copying lines.
///
/// Line endings are `\n`; a `\r` right before it is dropped too (CRLF). A last line without a line ending is a
/// line; a file ending in a line ending has no empty line after it. Lines longer than the buffer grow it.
public struct SplitReader {
    /// The initial size of the read buffer.
    public var bufferSize: Int

    /// Creates a reader with `bufferSize` bytes of buffer (it grows for longer lines).
    public init(bufferSize: Int = 4 << 20) { self.bufferSize = bufferSize }

    /// Calls `body` with each line of `split`, in order.
    /// - Returns: the number of input bytes the split covers (the compressed size for `.zst` files).
    @discardableResult
    public func forEachLine(in split: InputSplit, _ body: (Line) throws -> Void) throws -> Int64 {
        if split.file.isCompressed {
            var source = try CompressedSource(file: split.file)
            try scan(split.file, from: 0, until: .max, skipFirst: false, source: &source, body)
            return source.compressedBytesRead
        }
        let file: ReadableFile
        do { file = try ReadableFile(path: split.file.path) } catch {
            throw InputError(.unreadable, path: split.file.path, "input '\(split.file.path)' cannot be read: \(error)")
        }
        // Start one byte early: the line ending there (if any) marks where this split's first line begins.
        let origin = max(split.start - 1, 0)
        var source = PlainSource(file: file, offset: origin)
        try scan(split.file, from: origin, until: split.end, skipFirst: split.start > 0, source: &source, body)
        return split.length
    }

    private func scan<Source: ByteSource>(
        _ file: InputFile,
        from origin: Int64,
        until end: Int64,
        skipFirst: Bool,
        source: inout Source,
        _ body: (Line) throws -> Void
    ) throws {
        var capacity = bufferSize
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var filled = 0  // bytes of buffer holding data
        var cursor = 0  // start of the next line in buffer
        var bufferOffset = origin  // file offset of buffer[0]
        var skipping = skipFirst
        var atEnd = false

        while true {
            let lineStart = bufferOffset + Int64(cursor)
            if !skipping, lineStart >= end { return }
            // Find the next line ending at or after cursor.
            var searchFrom = cursor
            var newline: Int? = nil
            while true {
                if searchFrom < filled,
                    let found = memchr(buffer.baseAddress! + searchFrom, 0x0A, filled - searchFrom)
                {
                    newline = found - UnsafeMutableRawPointer(buffer.baseAddress!)
                    break
                }
                searchFrom = filled
                if atEnd { break }
                // Make room: slide the partial line to the front, or grow the buffer for a long line.
                if cursor > 0 {
                    let kept = filled - cursor
                    if kept > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + cursor, kept) }
                    bufferOffset += Int64(cursor)
                    searchFrom -= cursor
                    filled = kept
                    cursor = 0
                } else if filled == capacity {
                    capacity *= 2
                    let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
                    grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[..<filled]))
                    buffer.deallocate()
                    buffer = grown
                }
                let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<capacity]))
                if count == 0 { atEnd = true } else { filled += count }
            }
            let lineEnd = newline ?? filled
            if newline == nil, cursor == filled { return }  // end of input, no partial line left
            if skipping {
                skipping = false
            } else {
                var contentEnd = lineEnd
                if newline != nil, contentEnd > cursor, buffer[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                try body(Line(bytes: UnsafeRawBufferPointer(rebasing: buffer[cursor..<contentEnd]), file: file, offset: lineStart))
            }
            guard let newline else { return }
            cursor = newline + 1
        }
    }
}

/// Bytes read sequentially from some origin.
protocol ByteSource {
    /// Fills as much of `buffer` as it can; 0 means the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

struct PlainSource: ByteSource {
    let file: ReadableFile
    var offset: Int64

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try file.read(into: buffer, at: offset)
        offset += Int64(count)
        return count
    }
}

struct CompressedSource: ByteSource {
    let file: InputFile
    private let reader: ReadableFile
    private let decompressor = ZstdStreamDecompressor()
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
        input = [UInt8](repeating: 0, count: max(ZstdStreamDecompressor.recommendedInputSize, 1 << 17))
    }

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
                guard decompressor.isAtFrameBoundary else {
                    throw InputError(
                        .corruptCompressedFile, path: file.path,
                        "compressed input '\(file.path)' is truncated: its zstd stream ends inside a frame; recompress or replace the file")
                }
                return 0
            }
            let (consumed, produced): (Int, Int)
            do {
                (consumed, produced) = try input.withUnsafeBytes { raw throws(ZstdError) in
                    try decompressor.decompress(UnsafeRawBufferPointer(rebasing: raw[inputStart..<inputEnd]), into: buffer)
                }
            } catch let error as ZstdError {
                throw InputError(
                    .corruptCompressedFile, path: file.path, "compressed input '\(file.path)' is corrupt (\(error.reason)); recompress or replace the file")
            }
            inputStart += consumed
            if produced > 0 { return produced }
        }
    }
}
