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

    #if os(Linux)
    /// The bytes this thread has read with `read` and `pread` so far (`rchar` in `/proc/thread-self/io`).
    func bytesReadByThisThread() throws -> Int64 {
        let io = try String(contentsOfFile: "/proc/thread-self/io", encoding: .utf8)
        let line = try #require(io.split(separator: "\n").first { $0.hasPrefix("rchar:") })
        return try #require(Int64(line.dropFirst("rchar:".count).trimmingCharacters(in: .whitespaces)))
    }

    /// A task's fixed cost: a small split reads about its own bytes (and the rest of its last line), not a whole
    /// buffer's worth of the file after it.
    @Test func aSmallSplitReadsAboutItsOwnBytes() throws {
        let directory = try TemporaryDirectory()
        let line = String(repeating: "word ", count: 19) + "end\n"  // 99 bytes
        let path = try directory.write("big.txt", String(repeating: line, count: 160_000))  // 15.1 MiB
        let splits = try SplitPlanner(splitSize: 64 << 10).plan([path]).flatMap { $0 }
        for split in [splits[0], splits[100]] {
            let before = try bytesReadByThisThread()
            var lines = 0
            try SplitReader().forEachLine(in: split) { _ in lines += 1 }
            let read = try bytesReadByThisThread() - before
            #expect(lines >= 661 && lines <= 663)
            #expect(read < 256 << 10, "a 64 KiB split read \(read) bytes")
        }
    }
    #endif

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

    /// Runs `gzip` (the system's) over `text`, `members` times concatenated, into `path`.
    func gzip(_ text: String, members: Int = 1, into path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let once = #"printf '%s' "$0" | gzip -c"#
        process.arguments = ["-c", "(\(Array(repeating: once, count: members).joined(separator: "; "))) > '\(path)'", text]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// A gzipped log (what logrotate writes) was read as raw bytes: garbage records, no output (issue 23). `.gz` files
    /// are decompressed as they are read, as one split; several members are read one after another; a truncated or
    /// damaged stream, and a file named `.gz` that is not gzip, are errors naming the file.
    @Test func gzipInputIsReadAsOneSplitMemberAfterMember() throws {
        let directory = try TemporaryDirectory()
        let text = (0..<5000).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let path = directory.appending("app.log.1.gz")
        try gzip(text, members: 2, into: path)
        let tasks = try SplitPlanner(splitSize: 100).plan([path])
        #expect(tasks.count == 1 && tasks[0].count == 1)
        let expected = (0..<5000).map { "line \($0)" }
        #expect(try lines(of: [path], splitSize: 100, bufferSize: 64).map(\.0) == expected + expected)
        // Offsets count the decompressed bytes, across members.
        #expect(try lines(of: [path], splitSize: 100).last?.1 == Int64(2 * text.utf8.count - "line 4999\n".utf8.count))
        let compressed = try #require(FileManager.default.contents(atPath: path))
        try directory.write("cut.log.gz", Array(compressed.prefix(compressed.count / 3)))
        let cut = try #require(throws: InputError.self) { try lines(of: [directory.appending("cut.log.gz")], splitSize: 100) }
        #expect(cut.code == .corruptCompressedFile && "\(cut)".contains("truncated"), "\(cut)")
        var damaged = Array(compressed)
        for index in stride(from: 40, to: 200, by: 7) { damaged[index] ^= 0x5A }
        try directory.write("damaged.log.gz", damaged)
        let corrupt = try #require(throws: InputError.self) { try lines(of: [directory.appending("damaged.log.gz")], splitSize: 100) }
        #expect(corrupt.code == .corruptCompressedFile, "\(corrupt)")
        try directory.write("plain.log.gz", "not gzip\n")
        let misnamed = try #require(throws: InputError.self) { try SplitPlanner(splitSize: 100).plan([directory.appending("plain.log.gz")]) }
        #expect("\(misnamed)".contains("is named as gzip-compressed but is not compressed data"), "\(misnamed)")
        // --max-record-size applies to the decompressed records.
        let long = directory.appending("long.gz")
        try gzip(String(repeating: "x", count: 5000) + "\n", into: long)
        let tooLong = try #require(throws: InputError.self) {
            for split in try SplitPlanner(splitSize: 100).plan([long]).joined() {
                try SplitReader(bufferSize: 64, maximumRecordSize: 1000).forEachLine(in: split) { _ in }
            }
        }
        #expect(tooLong.code == .recordTooLong)
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
