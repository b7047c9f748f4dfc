import Foundation
import Zstd

/// Folds the values of one key group into a single encoded value (a job's combiner over bytes).
@usableFromInline
typealias GroupCombiner = (KeyGroups, inout RecordWriter) throws -> Void

/// Merges sorted runs (partitions of intermediate files), in passes of at most `fanIn` runs, so memory stays within
/// budget however many runs there are.
struct RunMerging {
    let settings: ShuffleSettings
    let compressor: ZstdCompressor
    /// Where intermediate passes write; removed by the caller.
    let scratchDirectory: String

    /// Merges `runs` until at most `fanIn` remain, writing intermediate passes (files of one partition) to the
    /// scratch directory.
    /// - Returns: the runs left, and the bytes of `runs` the first pass read (0 if no pass was needed).
    func reduceFanIn(_ runs: [IntermediateRun]) throws -> (runs: [IntermediateRun], firstPassBytes: Int64) {
        var current = runs
        var pass = 0
        var firstPassBytes: Int64 = 0
        while current.count > settings.mergeFanIn {
            pass += 1
            var next: [IntermediateRun] = []
            for (index, start) in stride(from: 0, to: current.count, by: settings.mergeFanIn).enumerated() {
                let group = Array(current[start..<min(start + settings.mergeFanIn, current.count)])
                let path = "\(scratchDirectory)/pass-\(pass)-\(index).mri"
                let writer = try IntermediateFileWriter(path: path, compressor: compressor, blockSize: settings.blockSize, sync: false)
                let bytes = try merge(group, into: writer, combiner: nil)
                if pass == 1 { firstPassBytes += bytes }
                try writer.finish()
                next.append(IntermediateRun(path: path, partition: 0))
            }
            if pass > 1 { for run in current { try? FileManager.default.removeItem(atPath: run.path) } }
            current = next
        }
        return (current, firstPassBytes)
    }

    /// Merges `runs` into the current partition of `writer`, folding each key's values with `combiner` if given.
    /// - Returns: the bytes of the runs read.
    @discardableResult
    func merge(_ runs: [IntermediateRun], into writer: IntermediateFileWriter, combiner: GroupCombiner?) throws -> Int64 {
        let readers = try runs.map { run throws(IntermediateFileError) in try run.open() }
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
        return readers.reduce(0) { $0 + $1.runBytes }
    }
}
