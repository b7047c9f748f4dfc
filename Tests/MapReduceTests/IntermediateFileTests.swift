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

    func readAll(_ path: String, expectedSize: Int64? = nil) throws -> [(String, Int)] {
        let reader = try IntermediateFileReader(path: path, expectedSize: expectedSize)
        var records: [(String, Int)] = []
        while try reader.next() { records.append((try String(decoding: reader.key), try Int(decoding: reader.value))) }
        return records
    }

    var sample: [(String, Int)] { (0..<2000).map { (String(format: "key-%05d", $0), $0 * 7) } }

    @Test(arguments: [true, false])
    func roundTripsAcrossManyBlocks(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        let summary = try write(sample, to: directory.appending("f.mri"), compressed: compressed)
        #expect(summary.records == 2000)
        let read = try readAll(summary.path, expectedSize: summary.bytes)
        #expect(read.map(\.0) == sample.map(\.0))
        #expect(read.map(\.1) == sample.map(\.1))
    }

    @Test func emptyFileHoldsNoRecords() throws {
        let directory = try TemporaryDirectory()
        let summary = try write([], to: directory.appending("empty.mri"))
        #expect(try readAll(summary.path).isEmpty)
    }

    @Test func hugeRecordGetsItsOwnBlock() throws {
        let directory = try TemporaryDirectory()
        let big = String(repeating: "z", count: 100_000)
        let summary = try write([("a", 1), (big, 2), ("zz", 3)], to: directory.appending("big.mri"), blockSize: 1024)
        #expect(try readAll(summary.path).map(\.0) == ["a", big, "zz"])
    }

    @Test func flippedByteIsReportedAsCorrupt() throws {
        let directory = try TemporaryDirectory()
        let summary = try write(sample, to: directory.appending("f.mri"))
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: summary.path)))
        bytes[bytes.count / 2] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: summary.path))
        let error = try #require(throws: IntermediateFileError.self) { try readAll(summary.path) }
        #expect(error.code == .corrupt)
        #expect(error.description.contains(summary.path))
    }

    @Test(arguments: [0.1, 0.5, 0.99])
    func truncatedFileIsReported(fraction: Double) throws {
        let directory = try TemporaryDirectory()
        let summary = try write(sample, to: directory.appending("f.mri"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: summary.path))
        try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: summary.path))
        let error = try #require(throws: IntermediateFileError.self) { try readAll(summary.path) }
        #expect(error.code == .truncated || error.code == .corrupt)
        let known = try #require(throws: IntermediateFileError.self) { try readAll(summary.path, expectedSize: summary.bytes) }
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
