import Foundation
import MapReduce
import MapReduceTesting
import Testing

@Suite struct SecondarySortTests {
    /// Lines `KEY VALUE` (integers); the output is each key with its values in the order the reduce saw them.
    static func valuesAsSeen(sortedBy sortKey: (@Sendable (Int) -> Int)?) -> Job<Int, Int> {
        let job = Job<Int, Int>("values-as-seen") { line, emit in
            let fields = line.string.split(separator: " ")
            emit(Int(fields[0])!, Int(fields[1])!)
        } reduce: { _, values in
            values.map(String.init).joined(separator: ",")
        }
        return sortKey.map { job.sortingValues(by: $0) } ?? job
    }

    /// Writes `count` random `KEY VALUE` lines (keys 0..<keys, values that can be negative) in four files.
    static func writePairs(in directory: TemporaryDirectory, count: Int, keys: Int, seed: UInt64) throws -> [(key: Int, value: Int)] {
        var random = SeededRandom(seed: seed)
        let pairs = (0..<count).map { _ in (key: Int.random(in: 0..<keys, using: &random), value: Int.random(in: -1_000_000...1_000_000, using: &random)) }
        for file in 0..<4 {
            let lines = pairs[(file * count / 4)..<((file + 1) * count / 4)].map { "\($0.key) \($0.value)\n" }
            _ = try directory.write("in/\(file).txt", lines.joined())
        }
        return pairs
    }

    /// The smallest budget (64 KiB) spills every few thousand pairs and merges two files per pass, on both sides.
    static let tinyBudget = JobConfiguration(reducers: 3, splitSize: 96 << 10, memoryBudget: 64 << 10)

    @Test(arguments: [false, true])
    func valuesArriveInSortKeyOrderAcrossSpillsAndMerges(descending: Bool) throws {
        let directory = try TemporaryDirectory()
        let pairs = try Self.writePairs(in: directory, count: 60_000, keys: 7, seed: descending ? 2 : 1)
        let sign = descending ? -1 : 1
        let sortKey: @Sendable (Int) -> Int = { sign * $0 }
        let summary = try SequentialRunner(configuration: Self.tinyBudget).run(
            Self.valuesAsSeen(sortedBy: sortKey), inputs: [directory.appending("in")], output: directory.appending("out"))
        #expect(summary.mapTasks > 1)
        #expect(summary.spills > 10, "the budget must force spills for this test to mean anything")

        let output = try JobOutput(directory: directory.appending("out")).dictionary
        var expected: [Int: String] = [:]
        for (key, group) in Dictionary(grouping: pairs, by: \.key) {
            let values = group.map(\.value).sorted()
            expected[key] = (descending ? values.reversed() : values).map(String.init).joined(separator: ",")
        }
        #expect(output.count == expected.count)
        for (key, values) in expected { #expect(output["\(key)"] == values, "key \(key)") }
    }

    @Test func withoutASortKeyTheValuesAreNotSortedSoTheTestAboveCanFail() throws {
        let directory = try TemporaryDirectory()
        let pairs = try Self.writePairs(in: directory, count: 20_000, keys: 3, seed: 3)
        try SequentialRunner(configuration: Self.tinyBudget).run(
            Self.valuesAsSeen(sortedBy: nil), inputs: [directory.appending("in")], output: directory.appending("out"))
        let output = try JobOutput(directory: directory.appending("out")).dictionary
        let sorted = Dictionary(grouping: pairs, by: \.key).mapValues { $0.map(\.value).sorted().map(String.init).joined(separator: ",") }
        #expect(output.contains { sorted[Int($0.key)!] != $0.value })
    }

    /// How often a word was seen at an even (kind 0) or odd (kind 1) place in its line.
    struct Tally: Codable, RecordCodable {
        var kind: Int
        var count: Int
    }

    /// Counts each word's even and odd places; the combiner marks a fold of two kinds with kind -1, and the reduce
    /// writes the kinds in the order it saw them, then each kind's total.
    static func wordPlaces(sorted: Bool) -> Job<String, Tally> {
        let job = Job<String, Tally>("word-places", combiner: { Tally(kind: $0.kind == $1.kind ? $0.kind : -1, count: $0.count + $1.count) }) {
            line, emit in
            for (index, word) in line.words.enumerated() { emit(word, Tally(kind: index % 2, count: 1)) }
        } reduce: { _, tallies in
            var kinds: [Int] = []
            var totals: [Int: Int] = [:]
            for tally in tallies {
                if kinds.last != tally.kind { kinds.append(tally.kind) }
                totals[tally.kind, default: 0] += tally.count
            }
            return kinds.map(String.init).joined(separator: ",") + ":" + kinds.map { String(totals[$0]!) }.joined(separator: ",")
        }
        return sorted ? job.sortingValues { $0.kind } : job
    }

    @Test func partitionsComeFromTheKeyAloneAndTheCombinerFoldsOnlyEqualSortKeys() throws {
        let directory = try TemporaryDirectory()
        var random = SeededRandom(seed: 4)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let vocabulary = (0..<300).map { "w" + String(letters[$0 % 26]) + String(letters[$0 / 26]) }
        let lines = (0..<4000).map { _ in (0..<8).map { _ in vocabulary.randomElement(using: &random)! }.joined(separator: " ") }
        _ = try directory.write("in/words.txt", lines.joined(separator: "\n") + "\n")
        let runner = SequentialRunner(configuration: Self.tinyBudget)
        try runner.run(Self.wordPlaces(sorted: true), inputs: [directory.appending("in")], output: directory.appending("sorted"))
        try runner.run(Self.wordPlaces(sorted: false), inputs: [directory.appending("in")], output: directory.appending("plain"))

        // Every word sits in the partition the same job without a sort key gives it.
        let sorted = try JobOutput(directory: directory.appending("sorted"))
        let plain = try JobOutput(directory: directory.appending("plain"))
        func words(_ part: [UInt8]) -> Set<Substring> { Set(String(decoding: part, as: UTF8.self).split(separator: "\n").map { $0.prefix { $0 != " " } }) }
        #expect(sorted.parts.map { words($0.bytes) } == plain.parts.map { words($0.bytes) })
        #expect(plain.dictionary.values.contains { $0.hasPrefix("-1") || $0.hasPrefix("1,0") }, "without a sort key, kinds mix")

        // With one, the combiner never mixes kinds and each word's even places come before its odd ones.
        var places: [String: [Int: Int]] = [:]
        for line in lines {
            for (index, word) in line.split(separator: " ").enumerated() { places[String(word), default: [:]][index % 2, default: 0] += 1 }
        }
        let output = sorted.dictionary
        #expect(output.count == places.count)
        for (word, counts) in places {
            let kinds = counts.keys.sorted()
            let expected = kinds.map(String.init).joined(separator: ",") + ":" + kinds.map { String(counts[$0]!) }.joined(separator: ",")
            #expect(output[word] == expected, "word \(word)")
        }
    }
}
