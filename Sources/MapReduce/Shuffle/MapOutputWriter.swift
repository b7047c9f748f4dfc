import Foundation
import Zstd

/// Turns a map attempt's buffered records into its R sorted partition files, spilling sorted runs when the
/// buffer outgrows the memory budget and merging them at the end.
///
/// Layout inside the attempt directory: `part-00000.mri` … one per partition (empty partitions too, so every
/// reducer finds its file), and while running `spill/run-<n>-part-<r>.mri`, removed at the end.
@usableFromInline
final class MapOutputWriter {
    let directory: String
    @usableFromInline let settings: ShuffleSettings
    private let compressor: ZstdCompressor
    private var runs: [[String]] = []

    /// Creates a writer; nothing is written (not even the directory) until a spill or ``finish(_:combiner:)``.
    @usableFromInline
    init(directory: String, settings: ShuffleSettings) throws {
        self.directory = directory
        self.settings = settings
        compressor = ZstdCompressor(level: settings.compressionLevel)
    }

    private var spillDirectory: String { "\(directory)/spill" }

    /// Sorts `buffer`, writes it as one run of R files, and empties it.
    @usableFromInline
    func spill(_ buffer: inout RecordBuffer) throws {
        if runs.isEmpty { try OwnedDirectory.create(spillDirectory) }
        let run = runs.count
        let paths = (0..<settings.partitions).map { "\(spillDirectory)/run-\(run)-part-\(paddedNumber($0)).mri" }
        try write(&buffer, to: paths)
        runs.append(paths)
    }

    /// Writes the final partition files from `buffer` and any spilled runs.
    @usableFromInline
    func finish(_ buffer: inout RecordBuffer, combiner: GroupCombiner?) throws -> [IntermediateFileSummary] {
        let finalPaths = (0..<settings.partitions).map { MapOutputLayout.partitionFile($0, in: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if runs.isEmpty { return try write(&buffer, to: finalPaths) }
        if !buffer.isEmpty { try spill(&buffer) }
        let merging = RunMerging(settings: settings, compressor: compressor, scratchDirectory: spillDirectory)
        var summaries: [IntermediateFileSummary] = []
        for partition in 0..<settings.partitions {
            let inputs = try merging.reduceFanIn(runs.map { $0[partition] })
            summaries.append(try merging.merge(inputs, into: finalPaths[partition], combiner: combiner))
        }
        try FileManager.default.removeItem(atPath: spillDirectory)
        return summaries
    }

    /// The number of sorted runs spilled so far.
    @usableFromInline var spillCount: Int { runs.count }

    @discardableResult
    private func write(_ buffer: inout RecordBuffer, to paths: [String]) throws -> [IntermediateFileSummary] {
        buffer.sort()
        var summaries: [IntermediateFileSummary] = []
        try buffer.arena.withUnsafeBytes { arena in
            var index = 0
            let records = buffer.records
            for partition in 0..<settings.partitions {
                let writer = try IntermediateFileWriter(path: paths[partition], compressor: compressor, blockSize: settings.blockSize, sync: settings.syncFiles)
                while index < records.count, Int(records[index].partition) == partition {
                    let record = records[index]
                    try writer.append(
                        key: UnsafeRawBufferPointer(rebasing: arena[record.keyOffset..<(record.keyOffset + Int(record.keyLength))]),
                        value: UnsafeRawBufferPointer(rebasing: arena[record.valueOffset..<(record.valueOffset + Int(record.valueLength))]))
                    index += 1
                }
                summaries.append(try writer.finish())
            }
        }
        buffer.removeAll()
        return summaries
    }
}

/// `n` as five or more digits, zero-padded, as in `part-00003`.
func paddedNumber(_ number: Int) -> String {
    let digits = String(number)
    return digits.count >= 5 ? digits : String(repeating: "0", count: 5 - digits.count) + digits
}
