import Foundation
import Zstd

/// Folds the values of one key group into a single encoded value (a job's combiner over bytes).
@usableFromInline
typealias GroupCombiner = (KeyGroups, inout RecordWriter) throws -> Void

/// Merges sorted runs (partitions of intermediate files), in passes of at most `fanIn` runs, so memory stays within
/// budget however many runs there are.
struct RunMerging {
    let settings: ShuffleSettings
    /// `nil` stores blocks uncompressed.
    let compressor: ZstdCompressor?
    /// Where intermediate passes write; removed by the caller.
    let scratchDirectory: String
    /// Whether ``reduceFanIn(_:)`` creates the scratch directory (an ``OwnedDirectory``) before its first pass, so
    /// that an attempt whose runs fit in one merge creates none.
    var createsScratchDirectory = false

    /// Merges runs until at most `fanIn` remain, writing intermediate passes (files of one partition) to the
    /// scratch directory (created first if ``createsScratchDirectory``).
    ///
    /// Each pass merges only as many runs as it takes to bring the count down (Hadoop's merge factor): 260 runs
    /// with a fan-in of 256 merge 5 of them into one, then 256 go to the final merge, rather than every run being
    /// read and written once more. The runs merged are consecutive and the result takes their place, so equal keys
    /// keep the order of the runs given.
    /// - Returns: the runs left; which of them are pass files (in the scratch directory, for the caller to remove
    ///   once merged); and the bytes of the given runs that passes read (0 if no pass was needed).
    func reduceFanIn(_ runs: [IntermediateRun]) throws -> (runs: [IntermediateRun], passFiles: Set<String>, passBytes: Int64) {
        var current = runs
        var merged = 0
        var passBytes: Int64 = 0
        var passFiles: Set<String> = []
        if current.count > settings.mergeFanIn, createsScratchDirectory { try OwnedDirectory.create(scratchDirectory) }
        while current.count > settings.mergeFanIn {
            let count = min(settings.mergeFanIn, current.count - settings.mergeFanIn + 1)
            let path = "\(scratchDirectory)/pass-\(merged).mri"
            merged += 1
            let writer = try IntermediateFileWriter(path: path, compressor: compressor, blockSize: settings.blockSize, sync: false)
            let group = current[..<count]
            let bytes = try merge(Array(group), into: writer, combiner: nil)
            passBytes += zip(group, bytes).filter { !passFiles.contains($0.0.path) }.reduce(0) { $0 + $1.1 }
            try writer.finish()
            for run in group where passFiles.remove(run.path) != nil { try? FileManager.default.removeItem(atPath: run.path) }
            passFiles.insert(path)
            current.replaceSubrange(..<count, with: [IntermediateRun(path: path, partition: 0)])
        }
        return (current, passFiles, passBytes)
    }

    /// Merges `runs` into the current partition of `writer`, folding each key's values with `combiner` if given.
    /// - Returns: the bytes of each run read.
    @discardableResult
    func merge(_ runs: [IntermediateRun], into writer: IntermediateFileWriter, combiner: GroupCombiner?) throws -> [Int64] {
        let readers = try IntermediateRun.open(runs)
        let merger = try RecordMerger(readers)
        if let combiner {
            let groups = KeyGroups(merger)
            var combined = RecordWriter()
            while try groups.nextKey() {
                combined.removeAll()
                try combiner(groups, &combined)
                try groups.key.withUnsafeBytes { key in
                    try combined.bytes.withUnsafeBytes { value in try writer.append(key: key, value: value) }
                }
            }
        } else {
            while try merger.next() { try writer.append(key: merger.key, value: merger.value) }
        }
        return readers.map(\.runBytes)
    }
}
