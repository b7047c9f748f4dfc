import MapReduce
import Testing

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
}
