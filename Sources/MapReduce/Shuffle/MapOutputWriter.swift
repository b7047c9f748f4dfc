import Foundation
import Zstd

/// Turns a map attempt's buffered records into its one sorted output file of R partitions, spilling sorted runs
/// when the buffer outgrows the memory budget and merging them at the end.
///
/// Its files (``MapOutputLayout``): the output file, holding every partition (empty ones too) with an index of
/// their runs, and while running `<spill directory>/run-<n>.mri`, one file of R partitions per spill, removed at the
/// end. So an attempt leaves one file whatever R is. None of them is fsynced: a map output can be computed again,
/// and every reader verifies what it reads.
@usableFromInline
final class MapOutputWriter {
    let layout: MapOutputLayout
    @usableFromInline let settings: ShuffleSettings
    private let compressor: ZstdCompressor?
    private var runs: [String] = []

    /// Creates a writer; nothing is written (not even the directory) until a spill or ``finish(_:combiner:)``.
    @usableFromInline
    init(layout: MapOutputLayout, settings: ShuffleSettings) throws {
        self.layout = layout
        self.settings = settings
        compressor = settings.makeCompressor()
    }

    private var spillDirectory: String { layout.spillDirectory }

    /// Sorts `buffer`, writes it as one file of R partitions, and empties it.
    @usableFromInline
    func spill(_ buffer: inout RecordBuffer) throws {
        if runs.isEmpty { try OwnedDirectory.create(spillDirectory) }
        let path = "\(spillDirectory)/run-\(runs.count).mri"
        try write(&buffer, to: path)
        runs.append(path)
    }

    /// Writes the attempt's output file from `buffer` and any spilled runs.
    @usableFromInline
    func finish(_ buffer: inout RecordBuffer, combiner: GroupCombiner?) throws -> IntermediateFileSummary {
        let path = layout.outputFile
        try PhaseDirectory.create(layout.directory)
        if runs.isEmpty { return try write(&buffer, to: path) }
        if !buffer.isEmpty { try spill(&buffer) }
        let merging = RunMerging(settings: settings, compressor: compressor, scratchDirectory: spillDirectory)
        let writer = try IntermediateFileWriter(
            path: path, partitions: settings.partitions, compressor: compressor, blockSize: settings.blockSize, sync: false)
        for partition in 0..<settings.partitions {
            try writer.startPartition(partition)
            let merge = try merging.openMerge(runs.map { IntermediateRun(path: $0, partition: partition) })
            try merging.merge(merge.readers, into: writer, combiner: combiner)
            for path in merge.passFiles { try? FileManager.default.removeItem(atPath: path) }
        }
        let summary = try writer.finish()
        try FileManager.default.removeItem(atPath: spillDirectory)
        return summary
    }

    /// The number of sorted runs spilled so far.
    @usableFromInline var spillCount: Int { runs.count }

    @discardableResult
    private func write(_ buffer: inout RecordBuffer, to path: String) throws -> IntermediateFileSummary {
        buffer.sort()
        let writer = try IntermediateFileWriter(
            path: path, partitions: settings.partitions, compressor: compressor, blockSize: settings.blockSize, sync: false)
        try buffer.arena.bytes.withUnsafeBytes { arena in
            for record in buffer.records {
                if Int(record.partition) != writer.partition { try writer.startPartition(Int(record.partition)) }
                try writer.append(
                    key: UnsafeRawBufferPointer(rebasing: arena[record.keyOffset..<(record.keyOffset + Int(record.keyLength))]),
                    value: UnsafeRawBufferPointer(rebasing: arena[record.valueOffset..<(record.valueOffset + Int(record.valueLength))]))
            }
        }
        buffer.removeAll()
        return try writer.finish()
    }
}

/// `n` as five or more digits, zero-padded, as in `part-00003`.
func paddedNumber(_ number: Int) -> String {
    let digits = String(number)
    return digits.count >= 5 ? digits : String(repeating: "0", count: 5 - digits.count) + digits
}
