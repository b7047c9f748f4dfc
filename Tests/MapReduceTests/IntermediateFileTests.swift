import Foundation
import MapReduceTesting
import Testing
import Zstd

@testable import MapReduce

@Suite struct IntermediateFileTests {
    func write(_ records: [(String, Int)], to path: String, blockSize: Int = 256, compressed: Bool = true) throws -> IntermediateFileSummary {
        let writer = try IntermediateFileWriter(path: path, compressor: compressed ? ZstdCompressor() : nil, blockSize: blockSize, sync: false)
        for (key, value) in records {
            try key.encodedBytes.withUnsafeBytes { k in try value.encodedBytes.withUnsafeBytes { v in try writer.append(key: k, value: v) } }
        }
        return try writer.finish()
    }

    /// Writes `partitions`, each a list of records, into one file.
    func write(partitions: [[(String, Int)]], to path: String) throws -> IntermediateFileSummary {
        let writer = try IntermediateFileWriter(path: path, partitions: partitions.count, compressor: ZstdCompressor(), blockSize: 256, sync: false)
        for (partition, records) in partitions.enumerated() where !records.isEmpty {
            try writer.startPartition(partition)
            for (key, value) in records {
                try key.encodedBytes.withUnsafeBytes { k in try value.encodedBytes.withUnsafeBytes { v in try writer.append(key: k, value: v) } }
            }
        }
        return try writer.finish()
    }

    /// The records of a partition, read a block at a time or (`holdingWholeRun`, as a merge reads small runs) from
    /// the whole run read at opening.
    func readAll(_ path: String, partition: Int = 0, expectedSize: Int64? = nil, holdingWholeRun: Bool = false) throws -> [(String, Int)] {
        let reader = try IntermediateFileReader(
            path: path, partition: partition, expectedSize: expectedSize, holdingRunsUpTo: holdingWholeRun ? .max : nil,
            decompressor: ZstdDecompressor())
        #expect(reader.holdsWholeRun == holdingWholeRun)
        var records: [(String, Int)] = []
        while try reader.next() { records.append((try String(decoding: reader.key), try Int(decoding: reader.value))) }
        return records
    }

    var sample: [(String, Int)] { (0..<2000).map { (String(format: "key-%05d", $0), $0 * 7) } }

    @Test(arguments: [true, false], [false, true])
    func roundTripsAcrossManyBlocks(compressed: Bool, holdingWholeRun: Bool) throws {
        let directory = try TemporaryDirectory()
        let summary = try write(sample, to: directory.appending("f.mri"), compressed: compressed)
        #expect(summary.records == 2000)
        let read = try readAll(summary.path, expectedSize: summary.bytes, holdingWholeRun: holdingWholeRun)
        #expect(read.map(\.0) == sample.map(\.0))
        #expect(read.map(\.1) == sample.map(\.1))
    }

    @Test(arguments: [false, true])
    func emptyFileHoldsNoRecords(holdingWholeRun: Bool) throws {
        let directory = try TemporaryDirectory()
        let summary = try write([], to: directory.appending("empty.mri"))
        #expect(try readAll(summary.path, holdingWholeRun: holdingWholeRun).isEmpty)
    }

    @Test func hugeRecordGetsItsOwnBlock() throws {
        let directory = try TemporaryDirectory()
        let big = String(repeating: "z", count: 100_000)
        let summary = try write([("a", 1), (big, 2), ("zz", 3)], to: directory.appending("big.mri"), blockSize: 1024)
        #expect(try readAll(summary.path).map(\.0) == ["a", big, "zz"])
    }

    @Test(arguments: [false, true])
    func flippedByteIsReportedAsCorrupt(holdingWholeRun: Bool) throws {
        let directory = try TemporaryDirectory()
        let summary = try write(sample, to: directory.appending("f.mri"))
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: summary.path)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: summary.path))
        let error = try #require(throws: IntermediateFileError.self) { try readAll(summary.path, holdingWholeRun: holdingWholeRun) }
        #expect(error.code == .corrupt)
        #expect(error.description.contains(summary.path))
    }

    @Test(arguments: [0.1, 0.5, 0.99], [false, true])
    func truncatedFileIsReported(fraction: Double, holdingWholeRun: Bool) throws {
        let directory = try TemporaryDirectory()
        let summary = try write(sample, to: directory.appending("f.mri"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: summary.path))
        try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: summary.path))
        let error = try #require(throws: IntermediateFileError.self) { try readAll(summary.path, holdingWholeRun: holdingWholeRun) }
        #expect(error.code == .truncated || error.code == .corrupt)
        let known = try #require(throws: IntermediateFileError.self) {
            try readAll(summary.path, expectedSize: summary.bytes, holdingWholeRun: holdingWholeRun)
        }
        #expect(known.code == .truncated)
        #expect(known.description.contains("but its writer reported \(summary.bytes)"))
    }

    @Test func wrongVersionAndForeignFilesAreRejected() throws {
        let directory = try TemporaryDirectory()
        let summary = try write(sample, to: directory.appending("f.mri"))
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: summary.path)))
        bytes[4] = 9
        try Data(bytes).write(to: URL(fileURLWithPath: summary.path))
        #expect(throws: IntermediateFileError.self) { try readAll(summary.path) }
        #expect((try? readAll(summary.path)) == nil)
        let versionError = try #require(throws: IntermediateFileError.self) { try IntermediateFileReader(path: summary.path) }
        #expect(versionError.code == .wrongVersion)
        let foreign = try directory.write("foreign.txt", String(repeating: "not an intermediate file\n", count: 10))
        let foreignError = try #require(throws: IntermediateFileError.self) { try IntermediateFileReader(path: foreign) }
        #expect(foreignError.code == .wrongFormat)
        let missingError = try #require(throws: IntermediateFileError.self) { try IntermediateFileReader(path: directory.appending("nope.mri")) }
        #expect(missingError.code == .missing)
    }

    /// Partitions of five, two of them empty: each partition reads back exactly its own records, and only them.
    var partitioned: [[(String, Int)]] { [sample.prefix(700).map { $0 }, [], Array(sample[700..<1500]), [], Array(sample[1500...])] }

    @Test func eachPartitionReadsBackItsOwnRunOnly() throws {
        let directory = try TemporaryDirectory()
        let summary = try write(partitions: partitioned, to: directory.appending("output.mri"))
        #expect(summary.records == 2000)
        for (partition, records) in partitioned.enumerated() {
            let read = try readAll(summary.path, partition: partition, expectedSize: summary.bytes)
            #expect(read.map(\.0) == records.map(\.0) && read.map(\.1) == records.map(\.1), "partition \(partition)")
        }
        let reader = try IntermediateFileReader(path: summary.path, partition: 2, verifyingIndex: true)
        #expect(reader.indexChecksum == summary.checksum)
        let beyond = try #require(throws: IntermediateFileError.self) { try IntermediateFileReader(path: summary.path, partition: 5) }
        #expect(beyond.code == .corrupt && beyond.message.contains("holds 5 partitions, so it has no partition 5"), "\(beyond)")
    }

    /// The writer names the partitions that hold records, and a reader of the whole index finds the same ones: what
    /// lets a reducer skip a map output with nothing for it, and the coordinator check that it may.
    @Test func theFileNamesThePartitionsThatHoldRecords() throws {
        let directory = try TemporaryDirectory()
        let summary = try write(partitions: partitioned, to: directory.appending("output.mri"))
        let partitions = try #require(summary.partitionsWithRecords)
        #expect((0..<5).filter(partitions.contains) == [0, 2, 4] && partitions.count == 3 && partitions.fits(partitions: 5))
        #expect(!partitions.contains(5) && !partitions.contains(-1))
        #expect(try IntermediateFileReader(path: summary.path, partition: 1, verifyingIndex: true).partitionsWithRecords == partitions)
        #expect(try IntermediateFileReader(path: summary.path, partition: 1).partitionsWithRecords == nil)
        let empty = try write([], to: directory.appending("empty.mri"))
        #expect(empty.partitionsWithRecords == PartitionSet(partitions: 1))
    }

    @Test func aPartitionSetTravelsAsBase64AndFitsOnlyItsOwnPartitionCount() throws {
        var set = PartitionSet(partitions: 10)
        set.insert(0)
        set.insert(9)
        let json = try JSONEncoder().encode(["set": set])
        #expect(String(decoding: json, as: UTF8.self) == #"{"set":"AQI="}"#)
        #expect(try JSONDecoder().decode([String: PartitionSet].self, from: json)["set"] == set)
        // Partition 9 is past a file of 9; a file of 17 takes three bytes.
        #expect(set.fits(partitions: 10) && set.fits(partitions: 16) && !set.fits(partitions: 9) && !set.fits(partitions: 17))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([String: PartitionSet].self, from: Data(#"{"set":"not base64!"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([String: PartitionSet].self, from: Data(#"{"set":[1]}"#.utf8)) }
    }

    /// A damaged run fails the reducer of that partition (as that map's lost output), and no other: each run is
    /// checked against its own index entry.
    @Test(arguments: [false, true])
    func aDamagedRunFailsItsPartitionAndNoOther(holdingWholeRun: Bool) throws {
        let directory = try TemporaryDirectory()
        let summary = try write(partitions: partitioned, to: directory.appending("output.mri"))
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: summary.path)))
        let run0 = try IntermediateFileReader(path: summary.path, partition: 0).runBytes
        let run2 = try IntermediateFileReader(path: summary.path, partition: 2).runBytes
        bytes[Int(8 + run0 + run2 / 2)] ^= 0x20  // partition 1 is empty: partition 2's run follows partition 0's
        try Data(bytes).write(to: URL(fileURLWithPath: summary.path))
        let error = try #require(throws: IntermediateFileError.self) { try readAll(summary.path, partition: 2, holdingWholeRun: holdingWholeRun) }
        #expect(error.code == .corrupt && error.message.contains("partition 2"), "\(error)")
        #expect(try readAll(summary.path, partition: 0, holdingWholeRun: holdingWholeRun).count == 700)
        #expect(try readAll(summary.path, partition: 4, holdingWholeRun: holdingWholeRun).count == 500)
    }

    @Test func aDamagedIndexOrTrailerIsReported() throws {
        let directory = try TemporaryDirectory()
        let summary = try write(partitions: partitioned, to: directory.appending("output.mri"))
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: summary.path)))
        var bytes = original
        bytes[bytes.count - 25 - 52 * 3 + 5] ^= 0x01  // inside partition 2's index entry
        try Data(bytes).write(to: URL(fileURLWithPath: summary.path))
        let entry = try #require(throws: IntermediateFileError.self) { try readAll(summary.path, partition: 2) }
        #expect(entry.code == .corrupt && entry.message.contains("index entry of partition 2"), "\(entry)")
        #expect(try readAll(summary.path, partition: 0).count == 700, "a reducer reads its own entry only")
        let index = try #require(throws: IntermediateFileError.self) {
            try IntermediateFileReader(path: summary.path, partition: 0, verifyingIndex: true)
        }
        #expect(index.code == .corrupt && index.message.contains("checksum mismatch in its index"), "\(index)")
        bytes = original
        bytes[bytes.count - 1] ^= 0x01  // the end marker
        try Data(bytes).write(to: URL(fileURLWithPath: summary.path))
        let trailer = try #require(throws: IntermediateFileError.self) { try readAll(summary.path, partition: 0) }
        #expect(trailer.code == .truncated && trailer.message.contains("without its trailer"), "\(trailer)")
    }

    /// A file of the format before one file per map attempt (version 1: one file per partition) is refused, saying
    /// what to do, never read as something it is not.
    @Test func aVersion1FileIsRefusedSayingWhatToDo() throws {
        let directory = try TemporaryDirectory()
        var version1: [UInt8] = [0x4D, 0x52, 0x49, 0x46, 1, 1, 0, 0, 0x54]
        version1 += [UInt8](repeating: 0, count: 28) + [0x46, 0x49, 0x52, 0x4D]
        let path = directory.appending("part-00000.mri")
        try Data(version1).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: IntermediateFileError.self) { try IntermediateFileReader(path: path) }
        #expect(error.code == .wrongVersion)
        #expect(error.message.contains("has format version 1, but this build reads version 2") && error.message.contains("run the job again"), "\(error)")
    }

    @Test func writerLeavesNothingVisibleUntilFinished() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("f.mri")
        do {
            let writer = try IntermediateFileWriter(path: path, compressor: ZstdCompressor(), blockSize: 64, sync: false)
            try "k".encodedBytes.withUnsafeBytes { k in try writer.append(key: k, value: k) }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
