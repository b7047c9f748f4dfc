import Foundation
import MapReduceTesting
import Testing

@testable import MapReduce

@Suite struct FileFingerprintTests {
    static let planned = FileFingerprint(size: 100, modified: 1_700_000_000_123_456_789, inode: 42)

    @Test func aFullPrecisionViewComparesSizeTimeAndInode() {
        #expect(Self.planned.difference(to: Self.planned) == nil)
        #expect(Self.planned.difference(to: FileFingerprint(size: 100, modified: 1_700_000_000_123_456_790, inode: 42)) == "it was modified")
        #expect(
            Self.planned.difference(to: FileFingerprint(size: 100, modified: 1_700_000_000_123_456_789, inode: 7))
                == "it was replaced by another file (inode 42 → 7)")
        #expect(
            Self.planned.difference(to: FileFingerprint(size: 90, modified: 1_700_000_000_123_456_789, inode: 42))
                == "its size went from 100 to 90 bytes")
    }

    /// sshfs shows the same file with whole-second times and inode numbers of its own.
    @Test func aWholeSecondViewOfTheSameFileIsUnchanged() {
        let overSSHFS = FileFingerprint(size: 100, modified: 1_700_000_000_000_000_000, inode: 3)
        #expect(Self.planned.difference(to: overSSHFS) == nil)
        #expect(Self.planned.difference(to: FileFingerprint(size: 100, modified: 1_700_000_001_000_000_000, inode: 3)) == "it was modified")
        #expect(Self.planned.difference(to: FileFingerprint(size: 101, modified: 1_700_000_000_000_000_000, inode: 3)) == "its size went from 100 to 101 bytes")
    }

    /// Nanoseconds since 1970 end in 2262; a file dated later (a clock gone wrong, a restored archive) trapped the
    /// planner. Its fingerprint wraps instead, and still tells its times apart.
    @Test func aFileDatedAfter2262IsPlannedAndItsChangesSeen() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("future.txt", "from the future\n")
        let year2300 = Date(timeIntervalSince1970: 10_413_792_000)
        try FileManager.default.setAttributes([.modificationDate: year2300], ofItemAtPath: file)
        func fingerprint() -> FileFingerprint {
            var info = stat()
            #expect(stat(file, &info) == 0)
            return FileFingerprint(info)
        }
        let before = fingerprint()
        try FileManager.default.setAttributes([.modificationDate: year2300.addingTimeInterval(1)], ofItemAtPath: file)
        #expect(before.difference(to: fingerprint()) == "it was modified")
        let output = directory.appending("out")
        let lines = Job<String, Int>("lines") { line, emit in
            emit(line.string, 1)
        } reduce: { _, values in
            values.reduce(0, +)
        }
        try SequentialRunner().run(AnyJob(lines), inputs: [file], output: output)
        #expect(try JobOutput(directory: output).lines == ["from the future 1"])
    }
}
