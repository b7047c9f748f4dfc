import Foundation
import MapReduce
import MapReduceTesting
import Testing

@Suite struct TotalOrderTests {
    /// Keys lines by their first four bytes and sorts each key's lines by the whole line (a secondary sort whose
    /// sort keys are ordered against key-only range boundaries); the output is every line, sorted.
    static let sortByPrefix = Job<[UInt8], [UInt8]>("sort-by-prefix", output: .bytes, totalOrder: true) { line, emit in
        emit(Array(line.bytes.prefix(4)), Array(line.bytes))
    } reduce: { _, lines, output in
        for line in lines { try output.write(line) }
    }
    .sortingValues { $0 }

    @Test(arguments: [1, 3, 8])
    func partitionsInNameOrderAreSortedAndBalanced(reducers: Int) throws {
        var random = SeededRandom(seed: UInt64(reducers))
        let directory = try TemporaryDirectory()
        var all: [[UInt8]] = []
        for file in 0..<3 {
            let lines = (0..<3000).map { _ in (0..<Int.random(in: 1...12, using: &random)).map { _ in UInt8.random(in: 0x21...0x7E, using: &random) } }
            all += lines
            try directory.write("in/\(file).txt", Array(lines.joined(separator: [0x0A])) + [0x0A])
        }
        try SequentialRunner(configuration: JobConfiguration(reducers: reducers, splitSize: 8 << 10, memoryBudget: 64 << 10)).run(
            Self.sortByPrefix, inputs: [directory.appending("in")], output: directory.appending("out"))
        let output = try JobOutput(directory: directory.appending("out"))
        #expect(output.parts.count == reducers)
        #expect(output.parts.flatMap(\.bytes) == Array(all.sorted { $0.lexicographicallyPrecedes($1) }.joined(separator: [0x0A])) + [0x0A])
        let sizes = output.parts.map(\.bytes.count)
        let fair = all.count * 7 / reducers
        #expect(sizes.allSatisfy { $0 > fair / 3 && $0 < fair * 3 }, "partition sizes \(sizes)")
    }

    /// Review item 13: boundaries were whole keys, so three 6 MiB lines made a 68 MB plan carried by every
    /// assignment. Boundaries are prefixes now, and the output is still every line in order.
    @Test func longKeysMakeShortBoundariesAndStillSortedParts() throws {
        var random = SeededRandom(seed: 13)
        let directory = try TemporaryDirectory()
        let shared = (0..<200).map { _ in UInt8.random(in: 0x61...0x7A, using: &random) }
        // Lines that share a 200-byte start (longer than a boundary), then differ, some of them 1 MiB long.
        var lines = (0..<3000).map { _ in shared + (0..<Int.random(in: 1...20, using: &random)).map { _ in UInt8.random(in: 0x21...0x7E, using: &random) } }
        for index in 0..<3 { lines[index * 1000] = shared + [UInt8](repeating: 0x61 + UInt8(index), count: 1 << 20) }
        try directory.write("in/lines.txt", Array(lines.joined(separator: [0x0A])) + [0x0A])
        let plan = try JobPlanner.plan(
            AnyJob(Self.sortByPrefixWhole), inputs: [directory.appending("in")], configuration: .init(reducers: 4, splitSize: 64 << 10),
            directory: directory.appending("work"), output: directory.appending("out"))
        let boundaries = try #require(plan.rangeBoundaries)
        #expect(boundaries.count == 3 && boundaries.allSatisfy { $0.count <= KeyRanges.maximumBoundaryLength }, "\(boundaries.map(\.count))")
        try SequentialRunner(configuration: JobConfiguration(reducers: 4, splitSize: 64 << 10)).run(
            Self.sortByPrefixWhole, inputs: [directory.appending("in")], output: directory.appending("out"))
        let output = try JobOutput(directory: directory.appending("out"))
        #expect(output.parts.flatMap(\.bytes) == Array(lines.sorted { $0.lexicographicallyPrecedes($1) }.joined(separator: [0x0A])) + [0x0A])
    }

    /// Sampling read records up to 64 MiB whatever `--max-record-size` said: a record longer than the job allows
    /// is not sampled (nor read whole) now.
    @Test func samplingPassesOverRecordsLongerThanTheMaximumRecordSize() throws {
        let directory = try TemporaryDirectory()
        try directory.write("in/lines.txt", String(repeating: "z", count: 4000) + "\n")
        func boundaries(maximumRecordSize: Int) throws -> [[UInt8]]? {
            try JobPlanner.plan(
                AnyJob(Self.sortByPrefixWhole), inputs: [directory.appending("in")],
                configuration: .init(reducers: 2, skipBadRecords: 1, maximumRecordSize: maximumRecordSize), directory: directory.appending("work"),
                output: directory.appending("out")
            ).rangeBoundaries
        }
        #expect(try boundaries(maximumRecordSize: 1024) == [])
        #expect(try boundaries(maximumRecordSize: 8192)?.first?.count == KeyRanges.maximumBoundaryLength)
    }

    /// The whole line as the key (the `sort` job's shape).
    static let sortByPrefixWhole = Job<[UInt8], [UInt8]>("sort-lines", output: .bytes, totalOrder: true) { line, emit in
        emit(key: line.rawBytes, value: UnsafeRawBufferPointer(start: nil, count: 0))
    } reduce: { line, copies, output in
        for _ in copies { try output.write(line) }
    }
}
