#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the records of one ``InputSplit`` in large blocks and hands each to a closure, without copying them.
///
/// Records are lines, or CSV records (which may span lines inside quoted fields). Line endings are `\n`; a `\r`
/// right before it is dropped too (CRLF). A last line without a line ending is a line; a file ending in a line
/// ending has no empty line after it. Records longer than the buffer grow it, up to ``maximumRecordSize``.
///
/// A file planned with a ``FileFingerprint`` is checked against it when opened and again after the split is read:
/// a file that changed fails with ``InputError`` `changed` instead of being read as it is now.
public struct SplitReader {
    /// The initial size of the read buffer.
    public var bufferSize: Int
    /// The longest record accepted. A longer one is an error (``InputError`` `recordTooLong`), or is skipped
    /// without being buffered when the caller handles oversized records. Default 64 MiB.
    public var maximumRecordSize: Int

    /// Where a record longer than ``maximumRecordSize`` starts, for the caller to report or skip.
    public struct OversizedRecord: Sendable {
        /// The file.
        public var file: InputFile
        /// The byte offset of the record's first byte.
        public var offset: Int64
        /// The 1-based line number where the record starts, if it could be counted.
        public var line: Int64?
        /// The limit it exceeds.
        public var limit: Int

        /// What is wrong, in words.
        public var message: String {
            let place = line.map { "line \($0) (byte \(offset))" } ?? "the record at byte \(offset)"
            return "\(place) of '\(file.path)' is longer than the maximum record size of \(limit) bytes"
        }
    }

    /// Creates a reader with `bufferSize` bytes of buffer (it grows for longer records, up to `maximumRecordSize`).
    public init(bufferSize: Int = 4 << 20, maximumRecordSize: Int = 64 << 20) {
        self.bufferSize = bufferSize
        self.maximumRecordSize = maximumRecordSize
    }

    /// Calls `body` with each line of `split`, in order.
    /// - Returns: the number of input bytes the split covers (the compressed size for `.zst` and `.gz` files).
    @discardableResult
    public func forEachLine(in split: InputSplit, _ body: (Line) throws -> Void) throws -> Int64 {
        try forEachRecord(in: split, framing: .lines, body)
    }

    /// Calls `body` with each record of `split`, in order: a record belongs to the split holding its first byte.
    /// - Parameters:
    ///   - split: the byte range to read.
    ///   - framing: how records are delimited (lines, or CSV records whose quoted fields may span lines).
    ///   - body: called with each record; it may throw to stop.
    ///   - oversized: called for each record longer than ``maximumRecordSize``, which is then skipped without
    ///     being buffered; it may throw to stop. Without it, such a record throws ``InputError`` `recordTooLong`.
    /// - Returns: the number of input bytes the split covers (the compressed size for `.zst` and `.gz` files).
    @discardableResult
    public func forEachRecord(
        in split: InputSplit, framing: RecordFraming, oversized: ((OversizedRecord) throws -> Void)? = nil, _ body: (Line) throws -> Void
    ) throws -> Int64 {
        let position = SplitPosition(file: split.file)
        let handler =
            oversized ?? { record in
                let hint = if case .csv = framing { " (a quoted field that is never closed, probably: check its quotes)" } else { "" }
                throw InputError(
                    .recordTooLong, path: record.file.path,
                    "\(record.message)\(hint); raise --max-record-size, or skip such records with --skip-bad-records")
            }
        if case .pairs = framing { return try forEachPair(in: split, body) }
        if let compression = split.file.compression {
            switch compression {
            case .zstd:
                var source = try CompressedFileSource<ZstdDecoder>(file: split.file)
                return try readWhole(&source, framing: framing, position: position, oversized: handler, body)
            case .gzip:
                var source = try CompressedFileSource<GzipDecoder>(file: split.file)
                return try readWhole(&source, framing: framing, position: position, oversized: handler, body)
            }
        }
        let file = try open(split.file)
        // Start one byte early: the record ending there (if any) marks where this split's first record begins.
        let origin = max(split.start - 1, 0)
        var scan = Scan(file: split.file, end: split.end, framing: framing, position: position, skipFirst: split.start > 0)
        if split.start > 0, case .csv(let format) = framing {
            scan.csv = try csvState(of: file, before: origin, delimiter: format.delimiter)
            if format.hasHeader { position.header = try header(of: split.file, format: format) }
        }
        var source = PlainSource(file: file, offset: origin)
        try read(&scan, from: origin, source: &source, oversized: handler, body)
        try Self.checkUnchanged(file, split.file)
        return split.length
    }

    /// Calls `body` with each record `source` (a compressed file, read whole) decompresses to.
    /// - Returns: the compressed bytes read.
    private func readWhole<Decoder: StreamDecoder>(
        _ source: inout CompressedFileSource<Decoder>, framing: RecordFraming, position: SplitPosition, oversized: (OversizedRecord) throws -> Void,
        _ body: (Line) throws -> Void
    ) throws -> Int64 {
        var scan = Scan(file: source.file, end: .max, framing: framing, position: position, skipFirst: false)
        try read(&scan, from: 0, source: &source, oversized: oversized, body)
        try source.checkUnchanged()
        return source.compressedBytesRead
    }

    /// Calls `body` with each record of the intermediate file `split` covers whole, as one ``Line`` holding the
    /// key's encoding followed by the value's (copied together: the file stores a length between them). A record's
    /// ``Line/number`` is its 1-based position in the file, and its ``Line/offset`` the position before it.
    private func forEachPair(in split: InputSplit, _ body: (Line) throws -> Void) throws -> Int64 {
        guard split.start == 0, split.end == split.file.fingerprint?.size ?? split.end else {
            throw InputError(
                .unreadable, path: split.file.path, "'\(split.file.path)' is an earlier step's output: it is read whole, never from byte \(split.start)")
        }
        try split.file.checkUnchanged()
        let reader = try IntermediateFileReader(path: split.file.path, expectedSize: split.file.fingerprint?.size)
        let position = SplitPosition(file: split.file)
        var record: [UInt8] = []
        var index: Int64 = 0
        while try reader.next() {
            guard reader.key.count + reader.value.count <= maximumRecordSize else {
                throw InputError(
                    .recordTooLong, path: split.file.path,
                    "record \(index + 1) of '\(split.file.path)' is longer than the maximum record size of \(maximumRecordSize) bytes; raise --max-record-size")
            }
            record.removeAll(keepingCapacity: true)
            record.append(contentsOf: reader.key)
            record.append(contentsOf: reader.value)
            try record.withUnsafeBytes { bytes in
                try body(Line(bytes: bytes, file: split.file, offset: index, endsInCarriageReturn: false, lineEndingsBefore: index, position: position))
            }
            index += 1
        }
        try split.file.checkUnchanged()
        return split.length
    }

    private func open(_ file: InputFile) throws -> ReadableFile {
        let opened: ReadableFile
        do { opened = try ReadableFile(path: file.path) } catch {
            throw InputError(.unreadable, path: file.path, "input '\(file.path)' cannot be read: \(error)")
        }
        try Self.checkUnchanged(opened, file)
        return opened
    }

    /// Throws ``InputError`` `changed` if the open `file` no longer matches `input`'s planned fingerprint.
    static func checkUnchanged(_ file: ReadableFile, _ input: InputFile) throws {
        guard input.fingerprint != nil else { return }
        let now: FileFingerprint
        do { now = try file.fingerprint() } catch {
            throw InputError(.unreadable, path: input.path, "input '\(input.path)' cannot be read: \(error)")
        }
        try input.check(now)
    }

    /// The CSV quoting state at `offset`, found by running the framing rules from the start of the file.
    private func csvState(of file: ReadableFile, before offset: Int64, delimiter: UInt8) throws -> CSVFramer {
        var framer = CSVFramer(delimiter: delimiter)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(bufferSize, 1 << 20), alignment: 16)
        defer { buffer.deallocate() }
        var position: Int64 = 0
        while position < offset {
            let wanted = Int(min(Int64(buffer.count), offset - position))
            let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]), at: position)
            guard count > 0 else { break }
            framer.skip(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            position += Int64(count)
        }
        return framer
    }

    /// The header of a CSV file: its first non-blank record.
    private func header(of file: InputFile, format: CSVFormat) throws -> CSVHeader? {
        let position = SplitPosition(file: file)
        var source = PlainSource(file: try open(file), offset: 0)
        var scan = Scan(file: file, end: 1, framing: .csv(format), position: position, skipFirst: false)
        try read(&scan, from: 0, source: &source, oversized: { _ in }) { _ in }
        return position.header
    }

    /// The reader's progress through one split.
    private struct Scan {
        let file: InputFile
        /// Records starting at or past this offset belong to the next split.
        let end: Int64
        let framing: RecordFraming
        let position: SplitPosition
        /// Whether the first record found is the tail of one that started before the split.
        var skipFirst: Bool
        var csv: CSVFramer?
        /// Whether the next non-blank record is the file's CSV header.
        var headerPending: Bool
        /// Line endings since the split's first record.
        var lineEndings: Int64 = 0
        var foundFirstRecord = false

        init(file: InputFile, end: Int64, framing: RecordFraming, position: SplitPosition, skipFirst: Bool) {
            self.file = file
            self.end = end
            self.framing = framing
            self.position = position
            self.skipFirst = skipFirst
            if case .csv(let format) = framing {
                csv = CSVFramer(delimiter: format.delimiter)
                headerPending = format.hasHeader && !skipFirst
            } else {
                headerPending = false
            }
        }
    }

    /// How far past a split's end the reader reads at first, for the split's last record; more is read if that
    /// record is longer.
    static var readAhead: Int { 64 << 10 }

    /// The bytes to read from `position` for a split ending at `end` (which may be `Int64.max`: a whole file):
    /// to the end and ``readAhead`` more.
    static func bytesWanted(from position: Int64, toward end: Int64) -> Int {
        let left = end > position ? end - position : 0
        return Int(clamping: min(left, Int64(Int32.max))) + readAhead
    }

    /// Zeroed bytes allocated past a record buffer's capacity and never read into, so that a line's words can be
    /// loaded 16 bytes at a time even at the buffer's end (``Line/readableCount``).
    static var recordBufferSlack: Int { 16 }

    /// A record buffer of `capacity` bytes, followed by ``recordBufferSlack`` zeroed bytes.
    private static func allocateRecordBuffer(_ capacity: Int) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity + recordBufferSlack, alignment: 16)
        buffer.baseAddress!.advanced(by: capacity).initializeMemory(as: UInt8.self, repeating: 0, count: recordBufferSlack)
        return UnsafeMutableRawBufferPointer(rebasing: buffer[..<capacity])
    }

    private func read<Source: ByteSource>(
        _ scan: inout Scan, from origin: Int64, source: inout Source, oversized: (OversizedRecord) throws -> Void, _ body: (Line) throws -> Void
    ) throws {
        // A split needs its own bytes and the rest of its last record: a buffer (and reads) sized to the split, not
        // to ``bufferSize``, keep a small task from allocating and copying megabytes of the file after it.
        var capacity = min(bufferSize, Self.bytesWanted(from: origin, toward: scan.end))
        var buffer = Self.allocateRecordBuffer(capacity)
        defer { buffer.deallocate() }
        var filled = 0  // bytes of buffer holding data
        var cursor = 0  // start of the next record in buffer
        var bufferOffset = origin  // file offset of buffer[0]
        var atEnd = false

        records: while true {
            let recordStart = bufferOffset + Int64(cursor)
            if !scan.skipFirst, !scan.headerPending, recordStart >= scan.end { return }
            if !scan.skipFirst, !scan.foundFirstRecord {
                scan.foundFirstRecord = true
                scan.position.firstRecordOffset = recordStart
            }
            // Find the end of the record that starts at cursor.
            var searchFrom = cursor
            var newline: Int? = nil
            while true {
                if searchFrom < filled {
                    newline = recordEnd(&scan, in: buffer, from: searchFrom, to: filled)
                    if newline != nil { break }
                }
                searchFrom = filled
                if atEnd { break }
                if filled - cursor > maximumRecordSize {
                    // Too long to buffer: report it (unless it is the previous split's record) and skip to its end.
                    if !scan.skipFirst { try reportOversized(&scan, at: recordStart, oversized) }
                    bufferOffset += Int64(filled)
                    while true {
                        let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<capacity]))
                        guard count > 0 else { return }  // the input ends inside the record
                        if let end = recordEnd(&scan, in: buffer, from: 0, to: count) {
                            filled = count
                            cursor = end + 1
                            break
                        }
                        bufferOffset += Int64(count)
                    }
                    if !scan.skipFirst { scan.lineEndings += 1 + (scan.csv?.quotedLineEndings ?? 0) }
                    scan.skipFirst = false
                    scan.headerPending = false
                    scan.csv?.startRecord()
                    continue records
                }
                // Make room: slide the partial record to the front, or grow the buffer for a long one.
                if cursor > 0 {
                    let kept = filled - cursor
                    if kept > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + cursor, kept) }
                    bufferOffset += Int64(cursor)
                    searchFrom -= cursor
                    filled = kept
                    cursor = 0
                } else if filled == capacity {
                    capacity *= 2
                    let grown = Self.allocateRecordBuffer(capacity)
                    grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[..<filled]))
                    buffer.deallocate()
                    buffer = grown
                }
                let readEnd = filled + min(capacity - filled, Self.bytesWanted(from: bufferOffset + Int64(filled), toward: scan.end))
                let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<readEnd]))
                if count == 0 { atEnd = true } else { filled += count }
            }
            let recordEnd = newline ?? filled
            if newline == nil, cursor == filled { return }  // end of input, no partial record left
            if !scan.skipFirst, recordEnd - cursor > maximumRecordSize {
                // Too long, though it fits in the buffer: report it and pass over it.
                try reportOversized(&scan, at: recordStart, oversized)
                scan.lineEndings += (newline == nil ? 0 : 1) + (scan.csv?.quotedLineEndings ?? 0)
                guard let newline else { return }
                cursor = newline + 1
                scan.csv?.startRecord()
                continue records
            }
            if scan.skipFirst {
                scan.skipFirst = false
            } else {
                var contentEnd = recordEnd
                var carriageReturn = false
                if newline != nil, contentEnd > cursor, buffer[contentEnd - 1] == 0x0D {
                    contentEnd -= 1
                    carriageReturn = true
                }
                let lineEndingsBefore = scan.lineEndings
                scan.lineEndings += (newline == nil ? 0 : 1) + (scan.csv?.quotedLineEndings ?? 0)
                if scan.csv == nil || contentEnd > cursor {
                    var contentStart = cursor
                    if scan.csv != nil, recordStart == 0, contentEnd - cursor >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
                        contentStart += 3  // a UTF-8 byte order mark
                    }
                    let line = Line(
                        bytes: UnsafeRawBufferPointer(rebasing: buffer[contentStart..<contentEnd]), file: scan.file, offset: recordStart,
                        endsInCarriageReturn: carriageReturn, lineEndingsBefore: lineEndingsBefore, position: scan.position,
                        readableCount: capacity + Self.recordBufferSlack - contentStart)
                    if scan.headerPending {
                        scan.headerPending = false
                        do {
                            scan.position.header = CSVHeader(try CSVParser.fields(of: line.bytes, delimiter: scan.csv!.delimiter))
                        } catch {
                            throw InputError(.malformedRecord, path: scan.file.path, "the CSV header of '\(scan.file.path)' is malformed: \(error)")
                        }
                    } else {
                        try body(line)
                    }
                }
            }
            guard let newline else { return }
            cursor = newline + 1
            scan.csv?.startRecord()
        }
    }
}

extension SplitReader {
    /// The index of the `\n` that ends the current record within `buffer[from..<to]`, if it ends there: the next
    /// line ending, or for CSV the next one outside quotes (the framer's state carries on past `to`).
    @inline(__always)
    private func recordEnd(_ scan: inout Scan, in buffer: UnsafeMutableRawBufferPointer, from: Int, to: Int) -> Int? {
        if scan.csv != nil { return scan.csv!.findRecordEnd(in: UnsafeRawBufferPointer(buffer), from: from, to: to) }
        return memchr(buffer.baseAddress! + from, 0x0A, to - from).map { $0 - UnsafeMutableRawPointer(buffer.baseAddress!) }
    }

    /// Hands the record starting at `offset` to `oversized` (a CSV header that long is an error of its own).
    private func reportOversized(_ scan: inout Scan, at offset: Int64, _ oversized: (OversizedRecord) throws -> Void) throws {
        guard !scan.headerPending else {
            throw InputError(
                .recordTooLong, path: scan.file.path,
                "the CSV header of '\(scan.file.path)' is longer than the maximum record size of \(maximumRecordSize) bytes; check its quotes")
        }
        let line = try? scan.position.lineNumber(afterLineEndings: scan.lineEndings)
        try oversized(OversizedRecord(file: scan.file, offset: offset, line: line, limit: maximumRecordSize))
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
