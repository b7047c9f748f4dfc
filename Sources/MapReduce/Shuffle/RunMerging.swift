import Foundation
import Zstd

/// Folds the values of one key group into a single encoded value (a job's combiner over bytes).
@usableFromInline
typealias GroupCombiner = (KeyGroups, inout RecordWriter) throws -> Void

/// Merges sorted runs (partitions of intermediate files), in passes when they do not fit in the memory budget
/// together, so memory stays within budget however many runs there are.
///
/// What a run costs a merge: a run of at most a block's size (``ShuffleSettings/blockSize``) is held whole, its file
/// closed, and costs its bytes and one block of records; a larger run is read a block at a time from its open file
/// and costs ``streamingRunMemory`` (what the fan-in, ``ShuffleSettings/mergeFanIn``, has always assumed). So at most
/// `mergeFanIn` files are open at once, and the thousands of small runs of a job of many map tasks merge in one
/// pass: at 1,024 × 16, each reducer's 1,024 runs of a few KB took a pass over 385 of them first, 11% of the job's
/// instructions.
struct RunMerging {
    let settings: ShuffleSettings
    /// `nil` stores blocks uncompressed.
    let compressor: ZstdCompressor?
    /// Where intermediate passes write; removed by the caller.
    let scratchDirectory: String
    /// Whether ``openMerge(_:)`` creates the scratch directory (an ``OwnedDirectory``) before its first pass, so
    /// that an attempt whose runs fit in one merge creates none.
    var createsScratchDirectory = false

    /// The memory one merge may spend on its runs: the fan-in's worth of streaming runs.
    private var mergeMemory: Int64 { Int64(settings.mergeFanIn) * streamingRunMemory }

    /// What a run read a block at a time is assumed to cost (its compressed and raw block, with room to spare).
    private var streamingRunMemory: Int64 { Int64(4 * max(settings.blockSize, 1 << 16)) }

    /// The largest run held whole.
    private var wholeRunLimit: Int64 { Int64(settings.blockSize) }

    /// What merging a run of `runBytes` bytes (`rawBytes` uncompressed) costs in memory.
    private func memory(runBytes: Int64, rawBytes: Int64) -> Int64 {
        runBytes <= wholeRunLimit ? runBytes + min(rawBytes, Int64(settings.blockSize)) : streamingRunMemory
    }

    /// Opens `runs` for one final merge, first merging as few of them as it takes, in passes, for the rest to fit in
    /// memory: the passes write files of one partition to the scratch directory (created first if
    /// ``createsScratchDirectory``).
    ///
    /// Each pass merges the fewest leading runs that bring the rest within budget (Hadoop's merge factor): 1,100
    /// large runs with a fan-in of 640 merge 461 of them into one, then 640 go to the final merge, rather than every
    /// run being read and written once more. The runs merged are consecutive and the result takes their place, so
    /// equal keys keep the order of the runs given.
    /// - Returns: the readers of the final merge, in the order of the runs; which of them are pass files (in the
    ///   scratch directory, for the caller to remove once merged); and the bytes of the given runs that passes read
    ///   (0 if no pass was needed).
    func openMerge(_ runs: [IntermediateRun]) throws -> (readers: [IntermediateFileReader], passFiles: Set<String>, passBytes: Int64) {
        // One decompression context for every reader of the merge and its passes: each block is a whole zstd frame,
        // and the passes and the final merge read one block at a time, one after the other.
        let decompressor = ZstdDecompressor()
        if let readers = try openIfTheyFit(runs, decompressor) { return (readers, [], 0) }
        // They do not fit: plan the passes from each run's index entry.
        var current = runs
        var costs = try current.map { try memory(of: $0, decompressor) }
        var passes = 0
        var passBytes: Int64 = 0
        var passFiles: Set<String> = []
        if createsScratchDirectory { try OwnedDirectory.create(scratchDirectory) }
        while current.count > 2, costs.reduce(0, +) > mergeMemory {
            let count = firstPassCount(costs)
            let path = "\(scratchDirectory)/pass-\(passes).mri"
            passes += 1
            let writer = try IntermediateFileWriter(path: path, compressor: compressor, blockSize: settings.blockSize, sync: false)
            let group = current[..<count]
            let bytes = try merge(try group.map { try reader(of: $0, decompressor) }, into: writer, combiner: nil)
            passBytes += zip(group, bytes).filter { !passFiles.contains($0.0.path) }.reduce(0) { $0 + $1.1 }
            try writer.finish()
            for run in group where passFiles.remove(run.path) != nil { try? FileManager.default.removeItem(atPath: run.path) }
            passFiles.insert(path)
            let pass = IntermediateRun(path: path, partition: 0)
            current.replaceSubrange(..<count, with: [pass])
            costs.replaceSubrange(..<count, with: [try memory(of: pass, decompressor)])
        }
        return (try current.map { try reader(of: $0, decompressor) }, passFiles, passBytes)
    }

    /// How many leading runs a pass merges: the fewest (at least 2) that leave the rest, with the pass's output as a
    /// streaming run, within budget; but no more than fit in one merge themselves (a later pass then takes more).
    private func firstPassCount(_ costs: [Int64]) -> Int {
        var rest = costs.reduce(0, +)
        var merged: Int64 = 0
        var count = 0
        while count < costs.count {
            if count >= 2, rest + streamingRunMemory <= mergeMemory { break }
            if count >= 2, merged + costs[count] > mergeMemory { break }
            merged += costs[count]
            rest -= costs[count]
            count += 1
        }
        return count
    }

    /// The readers of `runs` if together they fit in one merge (holding the small runs whole); `nil`, with every
    /// file opened closed again, if they do not.
    private func openIfTheyFit(_ runs: [IntermediateRun], _ decompressor: ZstdDecompressor) throws -> [IntermediateFileReader]? {
        var readers: [IntermediateFileReader] = []
        readers.reserveCapacity(runs.count)
        var total: Int64 = 0
        for run in runs {
            let reader = try reader(of: run, decompressor)
            total += memory(runBytes: reader.runBytes, rawBytes: reader.runRawBytes)
            if total > mergeMemory, runs.count > 2 { return nil }
            readers.append(reader)
        }
        return readers
    }

    /// The reader of `run` for a merge, holding it whole if it is small.
    private func reader(of run: IntermediateRun, _ decompressor: ZstdDecompressor) throws -> IntermediateFileReader {
        try IntermediateFileReader(path: run.path, partition: run.partition, holdingRunsUpTo: wholeRunLimit, decompressor: decompressor)
    }

    /// What merging `run` costs, from its index entry (its file opened and closed again).
    private func memory(of run: IntermediateRun, _ decompressor: ZstdDecompressor) throws -> Int64 {
        let reader = try IntermediateFileReader(path: run.path, partition: run.partition, decompressor: decompressor)
        return memory(runBytes: reader.runBytes, rawBytes: reader.runRawBytes)
    }

    /// Merges the runs of `readers` into the current partition of `writer`, folding each key's values with
    /// `combiner` if given.
    /// - Returns: the bytes of each run read.
    @discardableResult
    func merge(_ readers: [IntermediateFileReader], into writer: IntermediateFileWriter, combiner: GroupCombiner?) throws -> [Int64] {
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
