import Foundation
import MapReduceTesting
import Testing

@testable import MapReduce

/// The merge of sorted runs against a stable sort of all their records: by key bytes, then run, then position in
/// the run; with many equal keys across runs, keys on both sides of the 8-byte prefix, empty and exhausted runs.
@Suite struct RecordMergerTests {
    @Test(arguments: [0, 1, 2, 3, 7, 16, 33])
    func mergesLikeAStableSortOfEveryRun(runs: Int) throws {
        let directory = try TemporaryDirectory()
        var random = SeededRandom(seed: UInt64(runs))
        let alphabet: [UInt8] = [0x00, 0x01, 0x61, 0x62, 0xFF]
        var expected: [(key: [UInt8], run: Int, position: Int)] = []
        var readers: [IntermediateFileReader] = []
        for run in 0..<runs {
            // Run r holds 0 to 60 records; every third run is empty.
            let count = run % 3 == 2 ? 0 : Int(random.next() % 61)
            let keys = (0..<count).map { _ in
                (0..<Int(random.next() % 12)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            }.sorted { $0.lexicographicallyPrecedes($1) }
            let writer = try IntermediateFileWriter(path: directory.appending("run-\(run).mri"), compressor: nil, blockSize: 128, sync: false)
            try writer.startPartition(0)
            for (position, key) in keys.enumerated() {
                let value = [UInt8(run), UInt8(position)]
                try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try writer.append(key: k, value: v) } }
                expected.append((key, run, position))
            }
            readers.append(try IntermediateFileReader(path: try writer.finish().path, partition: 0))
        }
        expected.sort { a, b in
            if a.key != b.key { return a.key.lexicographicallyPrecedes(b.key) }
            return (a.run, a.position) < (b.run, b.position)
        }
        let merger = try RecordMerger(readers)
        var merged: [(key: [UInt8], run: Int, position: Int)] = []
        while try merger.next() { merged.append((Array(merger.key), Int(merger.value[0]), Int(merger.value[1]))) }
        #expect(merged.count == expected.count)
        #expect(merged.map(\.key) == expected.map(\.key))
        #expect(merged.map { [$0.run, $0.position] } == expected.map { [$0.run, $0.position] })
        #expect(try !merger.next(), "an exhausted merge stays exhausted")
    }

    /// An exhausted reader's entry sorts last by its prefix (all ones) alone only where the other prefix differs:
    /// keys that start with eight 0xFF bytes still come before it, whichever side of the match they are on.
    @Test func keysOfEightOnesStillPrecedeExhaustedRuns() throws {
        let directory = try TemporaryDirectory()
        let ones = [UInt8](repeating: 0xFF, count: 8)
        let runs: [[[UInt8]]] = [[ones, ones + [0xFF]], [], [[0x00], ones], [ones + [0x00]], [ones]]
        var readers: [IntermediateFileReader] = []
        for (run, keys) in runs.enumerated() {
            let writer = try IntermediateFileWriter(path: directory.appending("run-\(run).mri"), compressor: nil, blockSize: 128, sync: false)
            try writer.startPartition(0)
            for key in keys {
                let value = [UInt8(run)]
                try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try writer.append(key: k, value: v) } }
            }
            readers.append(try IntermediateFileReader(path: try writer.finish().path, partition: 0))
        }
        let merger = try RecordMerger(readers)
        var merged: [([UInt8], UInt8)] = []
        while try merger.next() { merged.append((Array(merger.key), merger.value[0])) }
        #expect(merged.map(\.0) == [[0x00], ones, ones, ones, ones + [0x00], ones + [0xFF]])
        #expect(merged.map(\.1) == [2, 0, 2, 4, 3, 0], "equal keys in the order of the runs")
    }
}
