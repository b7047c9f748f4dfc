import Foundation
import MapReduceTesting
import Testing
import Zstd

@testable import MapReduce

/// Merging more runs than the fan-in allows: passes merge only as many runs as needed (Hadoop's merge factor),
/// and equal keys keep the order of the runs given.
@Suite struct RunMergingTests {
    @Test func passesMergeOnlyWhatBringsTheCountDownAndKeepTheRunsOrder() throws {
        let directory = try TemporaryDirectory()
        let settings = ShuffleSettings(memoryBudget: 3 << 18)  // 768 KiB: a fan-in of 3
        #expect(settings.mergeFanIn == 3)
        var runs: [IntermediateRun] = []
        for run in 0..<10 {
            let writer = try IntermediateFileWriter(
                path: directory.appending("run-\(run).mri"), partitions: 2, compressor: ZstdCompressor(), blockSize: 256, sync: false)
            try writer.startPartition(1)
            for key in ["apple", "kiwi", "pear"] where run % 3 != 0 || key != "kiwi" {
                try key.encodedBytes.withUnsafeBytes { k in try run.encodedBytes.withUnsafeBytes { v in try writer.append(key: k, value: v) } }
            }
            runs.append(IntermediateRun(path: try writer.finish().path, partition: 1))
        }
        try FileManager.default.createDirectory(atPath: directory.appending("scratch"), withIntermediateDirectories: true)
        let merging = RunMerging(settings: settings, compressor: ZstdCompressor(), scratchDirectory: directory.appending("scratch"))
        let (left, passFiles, passBytes) = try merging.reduceFanIn(runs)
        #expect(left.count == 3 && left[1...] == runs[8...], "the last runs go to the final merge untouched")
        let sizes = try runs.map { try IntermediateFileReader(path: $0.path, partition: 1).runBytes }
        #expect(passBytes == sizes[..<8].reduce(0, +), "each given run merged once is counted once")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appending("scratch")).count == 1, "earlier passes are removed")
        #expect(passFiles == [left[0].path], "the one pass file left is named for the caller to remove")
        let merger = try RecordMerger(try IntermediateRun.open(left))
        var records: [(String, Int)] = []
        while try merger.next() { records.append((try String(decoding: merger.key), try Int(decoding: merger.value))) }
        let kiwis = (0..<10).filter { $0 % 3 != 0 }
        #expect(records.map(\.0) == Array(repeating: "apple", count: 10) + Array(repeating: "kiwi", count: kiwis.count) + Array(repeating: "pear", count: 10))
        #expect(records.filter { $0.0 == "kiwi" }.map(\.1) == kiwis, "equal keys in the order of the runs")
        #expect(records.filter { $0.0 == "apple" }.map(\.1) == Array(0..<10))
    }
}
