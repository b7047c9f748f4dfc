import Zstd

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the records of one partition of an intermediate file in order, verifying them as it goes.
///
/// Opening checks the header, the trailer and the partition's index entry (its own checksum and bounds; with
/// `verifyingIndex`, every entry, the index's checksum, and that the partitions' runs tile the file).
/// Then every block's checksum and length, every record's bounds, and the run's counts and checksum against its
/// index entry are checked; anything off throws an ``IntermediateFileError`` that names the file and the problem.
/// Only the partition's run is read. Memory is one block (compressed and raw; none for an empty run), whatever the file's
/// size; a merge's readers hold small runs whole instead: such a run is read in one read at opening and the file
/// closed, so that a merge of many small runs holds no descriptors.
public final class IntermediateFileReader {
    /// The file being read.
    public let path: String
    /// The partition being read.
    public let partition: Int
    /// The xxHash64 of the file's index, as its trailer gives it (``IntermediateFileSummary/checksum``); checked
    /// against the index only when the reader was opened `verifyingIndex`.
    public private(set) var indexChecksum: UInt64 = 0
    /// The partitions whose runs hold records, read from the whole index: `nil` unless the reader was opened
    /// `verifyingIndex`.
    public private(set) var partitionsWithRecords: PartitionSet?
    /// `nil` once the run is held whole in ``stored``.
    private var file: ReadableFile?
    private let size: Int64
    private var codec = IntermediateFileFormat.Codec.none
    private let decompressor: ZstdDecompressor
    private var run = PartitionRun(offset: 0)
    // The state below is touched once per record by the reader's one user: no dynamic exclusivity checks (they
    // were 15% of a reduce's instructions).
    @exclusivity(unchecked) private var offset: Int64 = 0
    // Allocated at the first block, as large as it needs: most runs of a job of many partitions are empty or small.
    // A run held whole is all in `stored`, read at opening.
    @exclusivity(unchecked) private var stored = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    @exclusivity(unchecked) private var raw = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    @exclusivity(unchecked) private var rawEnd = 0
    @exclusivity(unchecked) private var cursor = 0
    @exclusivity(unchecked) private var blockRecordsLeft = 0
    @exclusivity(unchecked) private var blockIndex = 0
    @exclusivity(unchecked) private var records: Int64 = 0
    @exclusivity(unchecked) private var rawBytes: Int64 = 0
    @exclusivity(unchecked) private var blockChecksums: [UInt8] = []
    @exclusivity(unchecked) private var finished = false

    /// The current record's key; valid until the next call to ``next()``.
    @exclusivity(unchecked) public private(set) var key = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The current record's value; valid until the next call to ``next()``.
    @exclusivity(unchecked) public private(set) var value = UnsafeRawBufferPointer(start: nil, count: 0)

    /// Records in the blocks read so far (all of the partition's once ``next()`` has returned `false`).
    public var recordsRead: Int64 { records }

    /// The bytes of the partition's run in the file (compressed blocks with their headers).
    public var runBytes: Int64 { run.length }

    /// The uncompressed record bytes of the partition's run, as its index entry gives them.
    var runRawBytes: Int64 { run.rawBytes }

    /// Whether the run is held whole in memory, its file closed.
    var holdsWholeRun: Bool { file == nil }

    /// Opens the file at `path`, checks its header, trailer and index, and positions the reader before the first
    /// record of `partition`.
    /// - Parameters:
    ///   - path: the intermediate file.
    ///   - partition: the partition to read; a file a step or a merge wrote holds one, partition 0.
    ///   - expectedSize: the size its writer reported, if known; a different size is an error.
    ///   - verifyingIndex: whether to read and check every partition's index entry, and the index's checksum, rather
    ///     than the partition's own entry (its own checksum) alone.
    public convenience init(path: String, partition: Int = 0, expectedSize: Int64? = nil, verifyingIndex: Bool = false) throws(IntermediateFileError) {
        try self.init(path: path, partition: partition, expectedSize: expectedSize, verifyingIndex: verifyingIndex, decompressor: ZstdDecompressor())
    }

    /// Opens the run as ``init(path:partition:expectedSize:verifyingIndex:)`` does, decompressing with
    /// `decompressor`, which readers used by one thread may share (a merge's readers: each block is a whole zstd
    /// frame); a run of at most `wholeRunLimit` bytes (if given) is read whole now, and the file
    /// closed.
    init(
        path: String, partition: Int, expectedSize: Int64? = nil, verifyingIndex: Bool = false, holdingRunsUpTo wholeRunLimit: Int64? = nil,
        decompressor: ZstdDecompressor
    ) throws(IntermediateFileError) {
        self.path = path
        self.partition = partition
        self.decompressor = decompressor
        do {
            let file = try ReadableFile(path: path)
            self.file = file
            size = try file.size()
        } catch {
            if error.systemError == ENOENT { throw IntermediateFileError(.missing, path: path, "is missing", cause: error) }
            throw IntermediateFileError(.io, path: path, "cannot be read: \(error)", cause: error)
        }
        if let expectedSize, size != expectedSize {
            throw IntermediateFileError(
                size < expectedSize ? .truncated : .corrupt, path: path, "is \(size) bytes long, but its writer reported \(expectedSize)")
        }
        guard size >= Int64(IntermediateFileFormat.headerSize) else {
            throw IntermediateFileError(.truncated, path: path, "ends after \(size) bytes, inside its header")
        }
        var header = [UInt8](repeating: 0, count: IntermediateFileFormat.headerSize)
        try read(into: &header, at: 0)
        guard Array(header[0..<4]) == IntermediateFileFormat.magic else {
            throw IntermediateFileError(.wrongFormat, path: path, "is not an intermediate file (its first bytes are not 'MRIF')")
        }
        guard header[4] == IntermediateFileFormat.version else {
            throw IntermediateFileError(
                .wrongVersion, path: path,
                "has format version \(header[4]), but this build reads version \(IntermediateFileFormat.version); it was written by another build of swift-mapreduce: remove the job's directory and run the job again"
            )
        }
        let minimum = Int64(IntermediateFileFormat.headerSize + IntermediateFileFormat.indexEntrySize + IntermediateFileFormat.trailerSize)
        guard size >= minimum else {
            throw IntermediateFileError(.truncated, path: path, "ends after \(size) bytes, shorter than an empty file's \(minimum)")
        }
        guard let codec = IntermediateFileFormat.Codec(rawValue: header[5]) else {
            throw IntermediateFileError(.wrongFormat, path: path, "names unknown codec \(header[5])")
        }
        self.codec = codec
        try locateRun(verifyingIndex: verifyingIndex)
        if let wholeRunLimit, run.length <= wholeRunLimit { try holdWholeRun() }
    }

    deinit {
        stored.deallocate()
        raw.deallocate()
    }

    /// Reads and checks the trailer and the partition's index entry (the whole index when `verifyingIndex`), and
    /// finds the partition's run.
    private func locateRun(verifyingIndex: Bool) throws(IntermediateFileError) {
        var trailer = [UInt8](repeating: 0, count: IntermediateFileFormat.trailerSize)
        let trailerStart = size - Int64(IntermediateFileFormat.trailerSize)
        try read(into: &trailer, at: trailerStart)
        guard trailer[0] == IntermediateFileFormat.trailerTag, Array(trailer[21..<25]) == IntermediateFileFormat.endMagic else {
            throw IntermediateFileError(.truncated, path: path, "ends after \(size) bytes without its trailer (cut short, or damaged at the end)")
        }
        let (rawIndexOffset, partitions, checksum) = trailer.withUnsafeBytes {
            ($0.littleEndian(at: 1, as: UInt64.self), $0.littleEndian(at: 9, as: UInt32.self), $0.littleEndian(at: 13, as: UInt64.self))
        }
        let entrySize = IntermediateFileFormat.indexEntrySize
        let indexLength = Int64(partitions) * Int64(entrySize)
        guard (1...UInt32(IntermediateFileFormat.maximumPartitions)).contains(partitions), rawIndexOffset <= UInt64(trailerStart),
            Int64(rawIndexOffset) == trailerStart - indexLength
        else {
            throw IntermediateFileError(.corrupt, path: path, "has a damaged trailer (an index of \(partitions) partitions at byte \(rawIndexOffset))")
        }
        let indexOffset = Int64(rawIndexOffset)
        guard partition >= 0, partition < Int(partitions) else {
            throw IntermediateFileError(.corrupt, path: path, "holds \(partitions) partitions, so it has no partition \(partition)")
        }
        indexChecksum = checksum
        // A reducer reads its own entry only (reading all R entries for each of R partitions costs O(R²) a file);
        // the coordinator, checking a reported loss, reads and checks them all.
        let first = verifyingIndex ? 0 : partition
        var index = [UInt8](repeating: 0, count: verifyingIndex ? Int(indexLength) : entrySize)
        try read(into: &index, at: indexOffset + Int64(first * entrySize))
        if verifyingIndex, index.withUnsafeBytes({ XXHash64.hash($0) }) != checksum {
            throw IntermediateFileError(.corrupt, path: path, "has a checksum mismatch in its index at byte \(indexOffset)")
        }
        var expected = Int64(IntermediateFileFormat.headerSize)
        var partitionsWithRecords = PartitionSet(partitions: verifyingIndex ? Int(partitions) : 0)
        for entry in first..<(verifyingIndex ? Int(partitions) : partition + 1) {
            guard let candidate = index.withUnsafeBytes({ PartitionRun($0, at: (entry - first) * entrySize, partition: entry) }) else {
                throw IntermediateFileError(.corrupt, path: path, "has a checksum mismatch in the index entry of partition \(entry)")
            }
            guard candidate.offset >= expected, candidate.length >= 0, candidate.length <= indexOffset - candidate.offset,
                !verifyingIndex || candidate.offset == expected
            else {
                throw IntermediateFileError(
                    .corrupt, path: path, "has an index entry for partition \(entry) outside its \(indexOffset - 8) bytes of blocks, or overlapping another")
            }
            if entry == partition { run = candidate }
            if verifyingIndex {
                expected = candidate.offset + candidate.length
                if candidate.records > 0 { partitionsWithRecords.insert(entry) }
            }
        }
        guard !verifyingIndex || expected == indexOffset else {
            throw IntermediateFileError(.corrupt, path: path, "has an index whose partitions do not tile its \(indexOffset - 8) bytes of blocks")
        }
        if verifyingIndex { self.partitionsWithRecords = partitionsWithRecords }
        offset = run.offset
    }

    /// Reads the whole run into ``stored`` and closes the file.
    private func holdWholeRun() throws(IntermediateFileError) {
        if run.length > 0 {
            stored = .allocate(byteCount: Int(run.length), alignment: 16)
            try read(into: stored, at: run.offset)
        }
        file = nil
    }

    /// Moves to the next record of the partition.
    /// - Returns: `false` after the partition's last record, once its run has been verified against the index.
    public func next() throws(IntermediateFileError) -> Bool {
        while cursor == rawEnd {
            if finished { return false }
            if blockRecordsLeft != 0 {
                throw IntermediateFileError(.corrupt, path: path, "block \(blockIndex - 1) holds fewer records than its header says")
            }
            guard try loadBlock() else {
                finished = true
                return false
            }
        }
        let bytes = UnsafeRawBufferPointer(rebasing: raw[..<rawEnd])
        guard let keyLength = VarInt.read(bytes, at: &cursor), keyLength <= rawEnd - cursor else { throw recordError() }
        key = UnsafeRawBufferPointer(rebasing: bytes[cursor..<(cursor + keyLength)])
        cursor += keyLength
        guard let valueLength = VarInt.read(bytes, at: &cursor), valueLength <= rawEnd - cursor else { throw recordError() }
        value = UnsafeRawBufferPointer(rebasing: bytes[cursor..<(cursor + valueLength)])
        cursor += valueLength
        blockRecordsLeft -= 1
        guard blockRecordsLeft >= 0 else {
            throw IntermediateFileError(.corrupt, path: path, "block \(blockIndex - 1) holds more records than its header says")
        }
        return true
    }

    /// A block header's fields: tag, stored length, raw length, record count, checksum.
    private static func blockHeader(_ head: UnsafeRawBufferPointer) -> (UInt8, UInt32, UInt32, UInt32, UInt64) {
        (
            head[0], head.littleEndian(at: 1, as: UInt32.self), head.littleEndian(at: 5, as: UInt32.self),
            head.littleEndian(at: 9, as: UInt32.self), head.littleEndian(at: 13, as: UInt64.self)
        )
    }

    private func recordError() -> IntermediateFileError {
        IntermediateFileError(.corrupt, path: path, "has a record that overruns block \(blockIndex - 1) of partition \(partition)")
    }

    /// Reads the run's next block (returning `true`), or verifies the run against its index entry at its end
    /// (returning `false`).
    private func loadBlock() throws(IntermediateFileError) -> Bool {
        let end = run.offset + run.length
        guard offset < end else {
            let checksum = blockChecksums.withUnsafeBytes { XXHash64.hash($0) }
            guard run.records == records, run.rawBytes == rawBytes, Int(run.blocks) == blockIndex, run.checksum == checksum else {
                throw IntermediateFileError(
                    .corrupt, path: path,
                    "has partition \(partition) not matching its index (\(run.records) records in \(run.blocks) blocks listed, \(records) in \(blockIndex) found)"
                )
            }
            return false
        }
        guard end - offset >= Int64(IntermediateFileFormat.blockHeaderSize) else {
            throw IntermediateFileError(.corrupt, path: path, "has partition \(partition) ending inside the header of block \(blockIndex)")
        }
        let headerSize = IntermediateFileFormat.blockHeaderSize
        let (tag, storedLength, rawLength, recordCount, checksum): (UInt8, UInt32, UInt32, UInt32, UInt64)
        if file == nil {
            (tag, storedLength, rawLength, recordCount, checksum) = Self.blockHeader(
                UnsafeRawBufferPointer(rebasing: stored[Int(offset - run.offset)..<Int(offset - run.offset) + headerSize]))
        } else {
            var head = [UInt8](repeating: 0, count: headerSize)
            try read(into: &head, at: offset)
            (tag, storedLength, rawLength, recordCount, checksum) = head.withUnsafeBytes(Self.blockHeader)
        }
        guard tag == IntermediateFileFormat.blockTag else {
            throw IntermediateFileError(.corrupt, path: path, "has an unknown frame tag 0x\(String(tag, radix: 16)) at byte \(offset)")
        }
        let dataStart = offset + Int64(headerSize)
        let dataEnd = dataStart + Int64(storedLength)
        guard dataEnd <= end else {
            throw IntermediateFileError(.corrupt, path: path, "has block \(blockIndex) of partition \(partition) running past its run's end at byte \(end)")
        }
        if Int(rawLength) > raw.count { raw = regrow(raw, to: Int(rawLength)) }
        let storedBytes: UnsafeMutableRawBufferPointer
        if file == nil {
            storedBytes = UnsafeMutableRawBufferPointer(rebasing: stored[Int(dataStart - run.offset)..<Int(dataEnd - run.offset)])
        } else {
            if Int(storedLength) > stored.count { stored = regrow(stored, to: Int(storedLength)) }
            storedBytes = UnsafeMutableRawBufferPointer(rebasing: stored[..<Int(storedLength)])
            try read(into: storedBytes, at: dataStart)
        }
        guard XXHash64.hash(UnsafeRawBufferPointer(storedBytes)) == checksum else {
            throw IntermediateFileError(.corrupt, path: path, "has a checksum mismatch in block \(blockIndex) of partition \(partition) at byte \(offset)")
        }
        switch codec {
        case .zstd:
            let produced: Int
            do {
                produced = try decompressor.decompress(
                    UnsafeRawBufferPointer(storedBytes), into: UnsafeMutableRawBufferPointer(rebasing: raw[..<Int(rawLength)]))
            } catch {
                throw IntermediateFileError(.corrupt, path: path, "has block \(blockIndex) that does not decompress: \(error.reason)")
            }
            guard produced == Int(rawLength) else {
                throw IntermediateFileError(.corrupt, path: path, "has block \(blockIndex) that decompresses to \(produced) bytes, not \(rawLength)")
            }
        case .none:
            guard storedLength == rawLength else {
                throw IntermediateFileError(.corrupt, path: path, "has uncompressed block \(blockIndex) with mismatched lengths")
            }
            UnsafeMutableRawBufferPointer(rebasing: raw[..<Int(rawLength)]).copyMemory(from: UnsafeRawBufferPointer(storedBytes))
        }
        blockChecksums.appendLittleEndian(checksum)
        offset = dataEnd
        rawEnd = Int(rawLength)
        cursor = 0
        blockRecordsLeft = Int(recordCount)
        blockIndex += 1
        records += Int64(recordCount)
        rawBytes += Int64(rawLength)
        return true
    }

    private func read(into bytes: inout [UInt8], at position: Int64) throws(IntermediateFileError) {
        var failure: IntermediateFileError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(IntermediateFileError) { try read(into: buffer, at: position) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Fills `buffer` from the file at `position`; the file ending first is a truncation.
    private func read(into buffer: UnsafeMutableRawBufferPointer, at position: Int64) throws(IntermediateFileError) {
        let count: Int
        do {
            count = try file!.read(into: buffer, at: position)
        } catch {
            throw IntermediateFileError(.io, path: path, "cannot be read: \(error)")
        }
        guard count == buffer.count else { throw IntermediateFileError(.truncated, path: path, "ends after \(position + Int64(count)) bytes") }
    }

    private func regrow(_ buffer: UnsafeMutableRawBufferPointer, to size: Int) -> UnsafeMutableRawBufferPointer {
        buffer.deallocate()
        return .allocate(byteCount: size, alignment: 16)
    }
}
