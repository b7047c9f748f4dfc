import Zstd

/// What a finished intermediate file holds, reported to whoever commits the task.
public struct IntermediateFileSummary: Hashable, Codable, Sendable {
    /// Where the file is.
    public var path: String
    /// The file's size in bytes.
    public var bytes: Int64
    /// How many records it holds, in all its partitions.
    public var records: Int64
    /// The xxHash64 of its index, as in its trailer: it fixes every partition's run (offsets, counts and block
    /// checksums).
    public var checksum: UInt64
    /// The partitions that hold records; `nil` (a writer that did not say) means any may.
    public var partitionsWithRecords: PartitionSet?
}

/// Writes sorted records into a new intermediate file, partition by partition and block by block, and publishes it
/// atomically.
///
/// Records go into the current partition (``startPartition(_:)`` moves on; partitions never go back) and must be
/// appended in key order within it (the writer does not check). ``finish()`` writes the index of the partitions'
/// runs and the trailer. Until then the file lives under a temporary name, so a crash leaves nothing a reader could
/// mistake for output.
final class IntermediateFileWriter {
    private let file: WritableFile
    private let compressor: ZstdCompressor?
    private let blockSize: Int
    private let sync: Bool
    private let partitions: Int
    // The state below is touched once per record by the writer's one user: no dynamic exclusivity checks.
    @exclusivity(unchecked) private var block: UnsafeMutableRawBufferPointer
    @exclusivity(unchecked) private var blockUsed = 0
    @exclusivity(unchecked) private var blockRecords: UInt32 = 0
    @exclusivity(unchecked) private var compressed: UnsafeMutableRawBufferPointer
    @exclusivity(unchecked) private var frame: [UInt8] = []
    @exclusivity(unchecked) private var runs: [PartitionRun] = []
    @exclusivity(unchecked) private var run: PartitionRun
    @exclusivity(unchecked) private var runChecksums: [UInt8] = []
    @exclusivity(unchecked) private var records: Int64 = 0

    /// Creates the file at `path` (under a temporary name until ``finish()``), positioned at partition 0.
    /// - Parameters:
    ///   - partitions: how many partitions the file holds (its index has an entry for each, empty ones too).
    ///   - compressor: compresses blocks; `nil` stores them raw.
    ///   - blockSize: the uncompressed size a block is filled to.
    ///   - sync: whether ``finish()`` fsyncs before publishing (for files nothing can recompute).
    init(path: String, partitions: Int = 1, compressor: ZstdCompressor?, blockSize: Int, sync: Bool) throws(IntermediateFileError) {
        precondition((1...IntermediateFileFormat.maximumPartitions).contains(partitions), "an intermediate file holds 1 to 2^20 partitions")
        do { file = try WritableFile(path: path) } catch { throw IntermediateFileError(.io, path: path, "cannot be created: \(error)") }
        self.compressor = compressor
        self.blockSize = blockSize
        self.sync = sync
        self.partitions = partitions
        block = .allocate(byteCount: blockSize, alignment: 16)
        compressed = .allocate(byteCount: ZstdCompressor.maximumCompressedSize(of: blockSize), alignment: 16)
        run = PartitionRun(offset: Int64(IntermediateFileFormat.headerSize))
        runs.reserveCapacity(partitions)
        var header = IntermediateFileFormat.magic
        header += [IntermediateFileFormat.version, (compressor == nil ? IntermediateFileFormat.Codec.none : .zstd).rawValue, 0, 0]
        try io { () throws(FileIOError) in try file.write(header) }
    }

    deinit {
        block.deallocate()
        compressed.deallocate()
    }

    var path: String { file.path }

    /// The partition records are appended to.
    var partition: Int { runs.count }

    /// Ends the current partition's run and moves to `partition` (later partitions only; those skipped are empty).
    func startPartition(_ partition: Int) throws(IntermediateFileError) {
        precondition(partition >= runs.count && partition < partitions, "partitions are written in order")
        while runs.count < partition { try endRun() }
    }

    /// Appends one record to the current partition.
    func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(IntermediateFileError) {
        let needed = key.count + value.count + 20
        if blockUsed + needed > block.count {
            try flushBlock()
            if needed > block.count { growBlock(to: needed) }
        }
        let base = block.baseAddress! + blockUsed
        var offset = VarInt.write(key.count, to: base)
        if key.count > 0 { (base + offset).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        offset += key.count
        offset += VarInt.write(value.count, to: base + offset)
        if value.count > 0 { (base + offset).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        offset += value.count
        blockUsed += offset
        blockRecords += 1
        records += 1
        if blockUsed >= blockSize { try flushBlock() }
    }

    /// Ends the last partitions, writes the index and the trailer, and publishes the file under its final name.
    @discardableResult
    func finish() throws(IntermediateFileError) -> IntermediateFileSummary {
        while runs.count < partitions { try endRun() }
        let indexOffset = run.offset
        var index: [UInt8] = []
        index.reserveCapacity(partitions * IntermediateFileFormat.indexEntrySize)
        var partitionsWithRecords = PartitionSet(partitions: partitions)
        for (partition, run) in runs.enumerated() {
            run.append(to: &index, partition: partition)
            if run.records > 0 { partitionsWithRecords.insert(partition) }
        }
        let checksum = index.withUnsafeBytes { XXHash64.hash($0) }
        var trailer: [UInt8] = [IntermediateFileFormat.trailerTag]
        trailer.appendLittleEndian(UInt64(indexOffset))
        trailer.appendLittleEndian(UInt32(partitions))
        trailer.appendLittleEndian(checksum)
        trailer += IntermediateFileFormat.endMagic
        try io { () throws(FileIOError) in
            try file.write(index)
            try file.write(trailer)
            try file.commit(sync: sync)
        }
        return IntermediateFileSummary(
            path: file.path, bytes: file.bytesWritten, records: records, checksum: checksum, partitionsWithRecords: partitionsWithRecords)
    }

    private func endRun() throws(IntermediateFileError) {
        try flushBlock()
        run.checksum = runChecksums.withUnsafeBytes { XXHash64.hash($0) }
        runs.append(run)
        run = PartitionRun(offset: run.offset + run.length)
        runChecksums.removeAll(keepingCapacity: true)
    }

    private func growBlock(to size: Int) {
        block.deallocate()
        compressed.deallocate()
        block = .allocate(byteCount: size, alignment: 16)
        compressed = .allocate(byteCount: ZstdCompressor.maximumCompressedSize(of: size), alignment: 16)
    }

    private func flushBlock() throws(IntermediateFileError) {
        guard blockRecords > 0 else { return }
        let raw = UnsafeRawBufferPointer(rebasing: block[..<blockUsed])
        let stored: UnsafeRawBufferPointer
        if let compressor {
            do {
                let size = try compressor.compress(raw, into: compressed)
                stored = UnsafeRawBufferPointer(rebasing: compressed[..<size])
            } catch {
                throw IntermediateFileError(.io, path: file.path, "cannot be written: \(error)")
            }
        } else {
            stored = raw
        }
        let checksum = XXHash64.hash(stored)
        frame.removeAll(keepingCapacity: true)
        frame.append(IntermediateFileFormat.blockTag)
        frame.appendLittleEndian(UInt32(stored.count))
        frame.appendLittleEndian(UInt32(blockUsed))
        frame.appendLittleEndian(blockRecords)
        frame.appendLittleEndian(checksum)
        runChecksums.appendLittleEndian(checksum)
        try io { () throws(FileIOError) in
            try file.write(frame)
            try file.write(stored)
        }
        run.length += Int64(IntermediateFileFormat.blockHeaderSize + stored.count)
        run.records += Int64(blockRecords)
        run.rawBytes += Int64(blockUsed)
        run.blocks += 1
        blockUsed = 0
        blockRecords = 0
    }

    private func io(_ body: () throws(FileIOError) -> Void) throws(IntermediateFileError) {
        do { try body() } catch { throw IntermediateFileError(.io, path: file.path, "cannot be written: \(error)") }
    }
}
