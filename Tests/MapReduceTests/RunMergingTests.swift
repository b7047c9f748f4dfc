import Foundation
import MapReduceTesting
import Testing
import Zstd

@testable import MapReduce

/// Merging more runs than fit in memory together: passes merge only as many runs as needed (Hadoop's merge
/// factor), equal keys keep the order of the runs given, and small runs (at most a block) are held whole, so that
/// any number of them fit in one merge with no file open.
@Suite struct RunMergingTests {
    /// Writes ten runs (partition 1 of files of two partitions) of "apple", "kiwi" (not in every third run) and
    /// "pear", each value the run's number padded with `padding` bytes.
    func writeRuns(in directory: TemporaryDirectory, padding: Int) throws -> [IntermediateRun] {
        var runs: [IntermediateRun] = []
        for run in 0..<10 {
            let writer = try IntermediateFileWriter(path: directory.appending("run-\(run).mri"), partitions: 2, compressor: nil, blockSize: 256, sync: false)
            try writer.startPartition(1)
            for key in ["apple", "kiwi", "pear"] where run % 3 != 0 || key != "kiwi" {
                let value = "\(run)/" + String(repeating: "x", count: padding)
                try key.encodedBytes.withUnsafeBytes { k in try value.encodedBytes.withUnsafeBytes { v in try writer.append(key: k, value: v) } }
            }
            runs.append(IntermediateRun(path: try writer.finish().path, partition: 1))
        }
        return runs
    }

    /// Checks that `readers` merge into the ten runs' records, equal keys in the order of the runs.
    func expectMergedInOrder(_ readers: [IntermediateFileReader]) throws {
        let merger = try RecordMerger(readers)
        var records: [(String, Int)] = []
        while try merger.next() {
            let value = try String(decoding: merger.value)
            records.append((try String(decoding: merger.key), Int(value.prefix { $0 != "/" })!))
        }
        let kiwis = (0..<10).filter { $0 % 3 != 0 }
        #expect(records.map(\.0) == Array(repeating: "apple", count: 10) + Array(repeating: "kiwi", count: kiwis.count) + Array(repeating: "pear", count: 10))
        #expect(records.filter { $0.0 == "kiwi" }.map(\.1) == kiwis, "equal keys in the order of the runs")
        #expect(records.filter { $0.0 == "apple" }.map(\.1) == Array(0..<10))
    }

    @Test func passesMergeOnlyWhatBringsTheCountDownAndKeepTheRunsOrder() throws {
        let directory = try TemporaryDirectory()
        var settings = ShuffleSettings(memoryBudget: 3 << 18)  // 768 KiB: a fan-in of 3
        settings.blockSize = 256
        #expect(settings.mergeFanIn == 3)
        let runs = try writeRuns(in: directory, padding: 300)  // runs larger than a block: read a block at a time
        try FileManager.default.createDirectory(atPath: directory.appending("scratch"), withIntermediateDirectories: true)
        let merging = RunMerging(settings: settings, compressor: ZstdCompressor(), scratchDirectory: directory.appending("scratch"))
        let (left, passFiles, passBytes) = try merging.openMerge(runs)
        #expect(left.count == 3 && left[1...].map(\.path) == runs[8...].map(\.path), "the last runs go to the final merge untouched")
        let sizes = try runs.map { try IntermediateFileReader(path: $0.path, partition: 1).runBytes }
        #expect(passBytes == sizes[..<8].reduce(0, +), "each given run merged once is counted once")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appending("scratch")).count == 1, "earlier passes are removed")
        #expect(passFiles == [left[0].path], "the one pass file left is named for the caller to remove")
        #expect(left.allSatisfy { !$0.holdsWholeRun })
        try expectMergedInOrder(left)
    }

    /// Small runs cost their bytes, not a block's buffers: more of them than the fan-in merge at once, no pass
    /// written and no file left open (a reducer of a job of 1,024 map tasks merges 1,024 runs of a few KB).
    @Test func smallRunsBeyondTheFanInMergeAtOnceWithNoFileOpen() throws {
        let directory = try TemporaryDirectory()
        var settings = ShuffleSettings(memoryBudget: 3 << 18)
        settings.blockSize = 256
        let runs = try writeRuns(in: directory, padding: 10)
        let merging = RunMerging(
            settings: settings, compressor: ZstdCompressor(), scratchDirectory: directory.appending("scratch"), createsScratchDirectory: true)
        let (readers, passFiles, passBytes) = try merging.openMerge(runs)
        #expect(readers.count == 10 && passFiles.isEmpty && passBytes == 0)
        #expect(readers.allSatisfy { $0.holdsWholeRun }, "each run read whole, its file closed")
        #expect(!FileManager.default.fileExists(atPath: directory.appending("scratch")), "no pass, so no scratch directory")
        try expectMergedInOrder(readers)
    }
}
