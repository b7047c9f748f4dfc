import Zstd

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the records of an intermediate file in order, verifying it as it goes.
///
/// Every block's checksum and length, every record's bounds, and the trailer's counts are checked; anything off
/// throws an ``IntermediateFileError`` that names the file and the problem. Memory is one block (compressed and
/// raw), whatever the file's size.
public final class IntermediateFileReader {
    /// The file being read.
    public let path: String
    private let file: ReadableFile
    private let size: Int64
    private var codec = IntermediateFileFormat.Codec.none
    private let decompressor = ZstdDecompressor()
    private var offset = Int64(IntermediateFileFormat.headerSize)
    private var stored = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    private var raw = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    private var rawEnd = 0
    private var cursor = 0
    private var blockRecordsLeft = 0
    private var blockIndex = 0
    private var records: Int64 = 0
    private var rawBytes: Int64 = 0
    private var blockChecksums: [UInt8] = []
    private var finished = false

    /// The current record's key; valid until the next call to ``next()``.
    public private(set) var key = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The current record's value; valid until the next call to ``next()``.
    public private(set) var value = UnsafeRawBufferPointer(start: nil, count: 0)

    /// Records in the blocks read so far (all of them once ``next()`` has returned `false`).
    public var recordsRead: Int64 { records }

    /// Opens the file at `path` and checks its header.
    /// - Parameters:
    ///   - path: the intermediate file.
    ///   - expectedSize: the size its writer reported, if known; a different size is an error.
    public init(path: String, expectedSize: Int64? = nil) throws(IntermediateFileError) {
        self.path = path
        do {
            file = try ReadableFile(path: path)
            size = try file.size()
        } catch {
            if error.systemError == ENOENT { throw IntermediateFileError(.missing, path: path, "is missing", cause: error) }
            throw IntermediateFileError(.io, path: path, "cannot be read: \(error)", cause: error)
        }
        if let expectedSize, size != expectedSize {
            throw IntermediateFileError(
                size < expectedSize ? .truncated : .corrupt, path: path, "is \(size) bytes long, but its writer reported \(expectedSize)")
        }
        let minimum = Int64(IntermediateFileFormat.headerSize + IntermediateFileFormat.trailerSize)
        guard size >= minimum else {
            throw IntermediateFileError(.truncated, path: path, "ends after \(size) bytes, shorter than an empty file's \(minimum)")
        }
        var header = [UInt8](repeating: 0, count: IntermediateFileFormat.headerSize)
        try read(into: &header, at: 0)
        guard Array(header[0..<4]) == IntermediateFileFormat.magic else {
            throw IntermediateFileError(.wrongFormat, path: path, "is not an intermediate file (its first bytes are not 'MRIF')")
        }
        guard header[4] == IntermediateFileFormat.version else {
            throw IntermediateFileError(
                .wrongVersion, path: path, "has format version \(header[4]), but this build reads version \(IntermediateFileFormat.version)")
        }
        guard let codec = IntermediateFileFormat.Codec(rawValue: header[5]) else {
            throw IntermediateFileError(.wrongFormat, path: path, "names unknown codec \(header[5])")
        }
        self.codec = codec
    }

    deinit {
        stored.deallocate()
        raw.deallocate()
    }

    /// Moves to the next record.
    /// - Returns: `false` after the last record, once the trailer has been verified.
    public func next() throws(IntermediateFileError) -> Bool {
        while cursor == rawEnd {
            if finished { return false }
            if blockRecordsLeft != 0 {
                throw IntermediateFileError(.corrupt, path: path, "block \(blockIndex - 1) holds fewer records than its header says")
            }
            guard try loadFrame() else {
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

    private func recordError() -> IntermediateFileError {
        IntermediateFileError(.corrupt, path: path, "has a record that overruns block \(blockIndex - 1)")
    }

    /// Reads the next block (returning `true`) or verifies the trailer (returning `false`).
    private func loadFrame() throws(IntermediateFileError) -> Bool {
        let left = size - offset
        guard left > 0 else { throw IntermediateFileError(.truncated, path: path, "ends after \(size) bytes with no trailer") }
        var head = [UInt8](repeating: 0, count: Int(min(left, Int64(IntermediateFileFormat.trailerSize))))
        try read(into: &head, at: offset)
        switch head[0] {
        case IntermediateFileFormat.blockTag:
            guard head.count >= IntermediateFileFormat.blockHeaderSize else {
                throw IntermediateFileError(.truncated, path: path, "ends after \(size) bytes, inside the header of block \(blockIndex)")
            }
            let (storedLength, rawLength, recordCount, checksum) = head.withUnsafeBytes {
                (
                    $0.littleEndian(at: 1, as: UInt32.self), $0.littleEndian(at: 5, as: UInt32.self),
                    $0.littleEndian(at: 9, as: UInt32.self), $0.littleEndian(at: 13, as: UInt64.self)
                )
            }
            let dataStart = offset + Int64(IntermediateFileFormat.blockHeaderSize)
            let dataEnd = dataStart + Int64(storedLength)
            guard dataEnd <= size else {
                throw IntermediateFileError(.truncated, path: path, "ends after \(size) bytes, inside block \(blockIndex), which needs \(dataEnd)")
            }
            if Int(storedLength) > stored.count { stored = regrow(stored, to: Int(storedLength)) }
            if Int(rawLength) > raw.count { raw = regrow(raw, to: Int(rawLength)) }
            let storedBytes = UnsafeMutableRawBufferPointer(rebasing: stored[..<Int(storedLength)])
            do { _ = try file.read(into: storedBytes, at: dataStart) } catch { throw IntermediateFileError(.io, path: path, "cannot be read: \(error)") }
            guard XXHash64.hash(UnsafeRawBufferPointer(storedBytes)) == checksum else {
                throw IntermediateFileError(.corrupt, path: path, "has a checksum mismatch in block \(blockIndex) at byte \(offset)")
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
        case IntermediateFileFormat.trailerTag:
            guard head.count == IntermediateFileFormat.trailerSize else {
                throw IntermediateFileError(.truncated, path: path, "ends after \(size) bytes, inside its trailer")
            }
            guard left == Int64(IntermediateFileFormat.trailerSize) else {
                throw IntermediateFileError(.corrupt, path: path, "has \(left - Int64(IntermediateFileFormat.trailerSize)) bytes after its trailer")
            }
            let (trailerRecords, trailerRawBytes, trailerBlocks, trailerChecksum) = head.withUnsafeBytes {
                (
                    $0.littleEndian(at: 1, as: UInt64.self), $0.littleEndian(at: 9, as: UInt64.self),
                    $0.littleEndian(at: 17, as: UInt32.self), $0.littleEndian(at: 21, as: UInt64.self)
                )
            }
            guard Array(head[29..<33]) == IntermediateFileFormat.endMagic else {
                throw IntermediateFileError(.corrupt, path: path, "has a damaged trailer (bad end marker)")
            }
            let checksum = blockChecksums.withUnsafeBytes { XXHash64.hash($0) }
            guard trailerRecords == UInt64(records), trailerRawBytes == UInt64(rawBytes), Int(trailerBlocks) == blockIndex, trailerChecksum == checksum else {
                throw IntermediateFileError(
                    .corrupt, path: path,
                    "has a trailer that does not match its blocks (\(trailerRecords) records in \(trailerBlocks) blocks claimed, \(records) in \(blockIndex) found)"
                )
            }
            offset = size
            return false
        default:
            throw IntermediateFileError(.corrupt, path: path, "has an unknown frame tag 0x\(String(head[0], radix: 16)) at byte \(offset)")
        }
    }

    private func read(into bytes: inout [UInt8], at position: Int64) throws(IntermediateFileError) {
        do {
            let count = try bytes.withUnsafeMutableBytes { (buffer) throws(FileIOError) in try file.read(into: buffer, at: position) }
            guard count == bytes.count else { throw IntermediateFileError(.truncated, path: path, "ends after \(position + Int64(count)) bytes") }
        } catch let error as IntermediateFileError {
            throw error
        } catch {
            throw IntermediateFileError(.io, path: path, "cannot be read: \(error)")
        }
    }

    private func regrow(_ buffer: UnsafeMutableRawBufferPointer, to size: Int) -> UnsafeMutableRawBufferPointer {
        buffer.deallocate()
        return .allocate(byteCount: size, alignment: 16)
    }
}
