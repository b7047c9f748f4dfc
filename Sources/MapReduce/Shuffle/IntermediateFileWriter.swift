import Zstd

/// What a finished intermediate file holds, reported to whoever commits the task.
public struct IntermediateFileSummary: Hashable, Codable, Sendable {
    /// Where the file is.
    public var path: String
    /// The file's size in bytes.
    public var bytes: Int64
    /// How many records it holds.
    public var records: Int64
    /// The xxHash64 of its block checksums, as in its trailer.
    public var checksum: UInt64
}

/// Writes sorted records into a new intermediate file, block by block, and publishes it atomically.
///
/// Records must be appended in key order (the writer does not check). Until ``finish()``, the file lives under a
/// temporary name, so a crash leaves nothing a reader could mistake for output.
final class IntermediateFileWriter {
    private let file: WritableFile
    private let compressor: ZstdCompressor?
    private let blockSize: Int
    private let sync: Bool
    private var block: UnsafeMutableRawBufferPointer
    private var blockUsed = 0
    private var blockRecords: UInt32 = 0
    private var compressed: UnsafeMutableRawBufferPointer
    private var frame: [UInt8] = []
    private var records: Int64 = 0
    private var rawBytes: Int64 = 0
    private var blockChecksums: [UInt8] = []
    private var blocks: UInt32 = 0

    /// Creates the file at `path` (under a temporary name until ``finish()``).
    /// - Parameters:
    ///   - compressor: compresses blocks; `nil` stores them raw.
    ///   - blockSize: the uncompressed size a block is filled to.
    ///   - sync: whether ``finish()`` fsyncs before publishing.
    init(path: String, compressor: ZstdCompressor?, blockSize: Int, sync: Bool) throws(IntermediateFileError) {
        do { file = try WritableFile(path: path) } catch { throw IntermediateFileError(.io, path: path, "cannot be created: \(error)") }
        self.compressor = compressor
        self.blockSize = blockSize
        self.sync = sync
        block = .allocate(byteCount: blockSize, alignment: 16)
        compressed = .allocate(byteCount: ZstdCompressor.maximumCompressedSize(of: blockSize), alignment: 16)
        var header = IntermediateFileFormat.magic
        header += [IntermediateFileFormat.version, (compressor == nil ? IntermediateFileFormat.Codec.none : .zstd).rawValue, 0, 0]
        try io { () throws(FileIOError) in try file.write(header) }
    }

    deinit {
        block.deallocate()
        compressed.deallocate()
    }

    var path: String { file.path }

    /// Appends one record.
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

    /// Writes the trailer and publishes the file under its final name.
    @discardableResult
    func finish() throws(IntermediateFileError) -> IntermediateFileSummary {
        try flushBlock()
        let checksum = blockChecksums.withUnsafeBytes { XXHash64.hash($0) }
        var trailer: [UInt8] = [IntermediateFileFormat.trailerTag]
        trailer.appendLittleEndian(UInt64(records))
        trailer.appendLittleEndian(UInt64(rawBytes))
        trailer.appendLittleEndian(blocks)
        trailer.appendLittleEndian(checksum)
        trailer += IntermediateFileFormat.endMagic
        try io { () throws(FileIOError) in
            try file.write(trailer)
            try file.commit(sync: sync)
        }
        return IntermediateFileSummary(path: file.path, bytes: file.bytesWritten, records: records, checksum: checksum)
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
        blockChecksums.appendLittleEndian(checksum)
        try io { () throws(FileIOError) in
            try file.write(frame)
            try file.write(stored)
        }
        rawBytes += Int64(blockUsed)
        blocks += 1
        blockUsed = 0
        blockRecords = 0
    }

    private func io(_ body: () throws(FileIOError) -> Void) throws(IntermediateFileError) {
        do { try body() } catch { throw IntermediateFileError(.io, path: file.path, "cannot be written: \(error)") }
    }
}
