import Foundation
import MapReduceTesting
import Testing
import Zstd

@testable import MapReduce

@Suite struct SplitReaderTests {
    func lines(of paths: [String], splitSize: Int64, bufferSize: Int = 4 << 20) throws -> [(String, Int64)] {
        var result: [(String, Int64)] = []
        for task in try SplitPlanner(splitSize: splitSize).plan(paths) {
            for split in task {
                try SplitReader(bufferSize: bufferSize).forEachLine(in: split) { line in
                    result.append((String(decoding: line.bytes, as: UTF8.self), line.offset))
                }
            }
        }
        return result
    }

    @Test func everyLineIsReadExactlyOnceWhateverTheSplitSize() throws {
        let directory = try TemporaryDirectory()
        var random = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let count = Int.random(in: 0...60, using: &random)
            let expected = (0..<count).map { index in
                "\(round)-\(index)-" + String(repeating: "x", count: Int.random(in: 0...(index % 7 == 0 ? 300 : 20), using: &random))
            }
            let trailingNewline = Bool.random(using: &random)
            let text = expected.joined(separator: "\n") + (trailingNewline && !expected.isEmpty ? "\n" : "")
            let path = try directory.write("input-\(round).txt", text)
            for splitSize in [1, 2, 3, 7, 16, 64, 100, 1 << 20] as [Int64] {
                let read = try lines(of: [path], splitSize: splitSize, bufferSize: 16)
                #expect(read.map(\.0) == expected, "split size \(splitSize), round \(round)")
                // Offsets point at each line's first byte.
                var offset: Int64 = 0
                for (line, lineOffset) in read {
                    #expect(lineOffset == offset)
                    offset += Int64(line.utf8.count) + 1
                }
            }
        }
    }

    @Test func crlfEndingsAreStrippedAndLoneCarriageReturnsKept() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("crlf.txt", "one\r\ntwo\r\nthree\rfour\r\n\r\nlast")
        #expect(try lines(of: [path], splitSize: 1 << 20).map(\.0) == ["one", "two", "three\rfour", "", "last"])
        #expect(try lines(of: [path], splitSize: 3).map(\.0) == ["one", "two", "three\rfour", "", "last"])
    }

    @Test func emptyFileHasNoLinesAndNoTask() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("empty.txt", "")
        #expect(try SplitPlanner(splitSize: 10).plan([path]).isEmpty)
        let newlineOnly = try directory.write("newline.txt", "\n")
        #expect(try lines(of: [newlineOnly], splitSize: 10).map(\.0) == [""])
    }

    @Test func invalidUTF8IsPassedThroughUnchanged() throws {
        let directory = try TemporaryDirectory()
        let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0x0A, 0xC3, 0x28, 0x0A]
        let path = try directory.write("bad.txt", bytes)
        var seen: [[UInt8]] = []
        for split in try SplitPlanner(splitSize: 100).plan([path]).joined() {
            try SplitReader().forEachLine(in: split) { seen.append(Array($0.bytes)) }
        }
        #expect(seen == [[0x61, 0xFF, 0x62], [0xC3, 0x28]])
    }

    @Test func compressedInputIsReadTransparentlyAsOneSplit() throws {
        let directory = try TemporaryDirectory()
        let text = (0..<5000).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let raw = Array(text.utf8)
        var compressed = [UInt8](repeating: 0, count: ZstdCompressor.maximumCompressedSize(of: raw.count))
        let size = try raw.withUnsafeBytes { source in try compressed.withUnsafeMutableBytes { try ZstdCompressor(level: 3).compress(source, into: $0) } }
        let path = try directory.write("input.txt.zst", Array(compressed[..<size]))
        let tasks = try SplitPlanner(splitSize: 100).plan([path])
        #expect(tasks.count == 1 && tasks[0].count == 1)
        #expect(try lines(of: [path], splitSize: 100, bufferSize: 64).map(\.0) == (0..<5000).map { "line \($0)" })
        // A truncated stream is an error, not a silently shorter input.
        try directory.write("cut.txt.zst", Array(compressed[..<(size / 2)]))
        let error = try #require(throws: InputError.self) { try lines(of: [directory.appending("cut.txt.zst")], splitSize: 100) }
        #expect(error.code == .corruptCompressedFile)
    }

    @Test func smallFilesShareATaskAndDirectoriesExpandSorted() throws {
        let directory = try TemporaryDirectory()
        try directory.write("in/b.txt", "b\n")
        try directory.write("in/a.txt", "a\n")
        try directory.write("in/_hidden.txt", "h\n")
        try directory.write("in/.dot", "d\n")
        try directory.write("in/sub/c.txt", "c\n")
        let tasks = try SplitPlanner(splitSize: 1 << 20).plan([directory.appending("in")])
        #expect(tasks.count == 1)
        #expect(tasks[0].map(\.file.name) == ["a.txt", "b.txt", "c.txt"])
    }

    @Test func missingInputIsNamed() throws {
        let error = try #require(throws: InputError.self) { try SplitPlanner(splitSize: 10).plan(["/no/such/file"]) }
        #expect(error.code == .notFound)
        #expect(error.message.contains("/no/such/file"))
        #expect(throws: InputError.self) { try SplitPlanner(splitSize: 10).plan([]) }
    }
}
