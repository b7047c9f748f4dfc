import Foundation
import Zstd

/// Folds the values of one key group into a single encoded value (a job's combiner over bytes).
@usableFromInline
typealias GroupCombiner = (KeyGroups, inout RecordWriter) throws -> Void

/// Merges sorted intermediate files, in passes of at most `fanIn` files, so memory stays within budget however
/// many files there are.
struct RunMerging {
    let settings: ShuffleSettings
    let compressor: ZstdCompressor
    /// Where intermediate passes write; removed by the caller.
    let scratchDirectory: String

    /// Merges `paths` until at most `fanIn` remain, writing intermediate passes to the scratch directory.
    func reduceFanIn(_ paths: [String]) throws -> [String] {
        var current = paths
        var pass = 0
        while current.count > settings.mergeFanIn {
            pass += 1
            var next: [String] = []
            for (index, start) in stride(from: 0, to: current.count, by: settings.mergeFanIn).enumerated() {
                let group = Array(current[start..<min(start + settings.mergeFanIn, current.count)])
                let path = "\(scratchDirectory)/pass-\(pass)-\(index).mri"
                try merge(group, into: path, combiner: nil)
                next.append(path)
            }
            if pass > 1 { for path in current { try? FileManager.default.removeItem(atPath: path) } }
            current = next
        }
        return current
    }

    /// Merges `paths` into one new file at `path`, folding each key's values with `combiner` if given.
    @discardableResult
    func merge(_ paths: [String], into path: String, combiner: GroupCombiner?) throws -> IntermediateFileSummary {
        let readers = try paths.map { path throws(IntermediateFileError) in try IntermediateFileReader(path: path) }
        let merger = try RecordMerger(readers)
        let writer = try IntermediateFileWriter(path: path, compressor: compressor, blockSize: settings.blockSize, sync: settings.syncFiles)
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
        return try writer.finish()
    }
}
