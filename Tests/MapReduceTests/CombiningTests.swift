import Foundation
import MapReduceTesting
import Testing

@testable import MapReduce

/// Word count emitting the borrowed ``Word`` (the collector's short-key path).
let wordsCounted = Job<String, Int>("words-counted", combiner: { $0 + $1 }) { line, emit in
    for word in line.words { emit(word, 1) }
} reduce: { _, counts in
    counts.reduce(0, +)
}

/// Word count emitting each word as a `String` (the collector's general path).
let stringsCounted = Job<String, Int>("strings-counted", combiner: { $0 + $1 }) { line, emit in
    for word in line.words { emit(String(word), 1) }
} reduce: { _, counts in
    counts.reduce(0, +)
}

/// The lines each word is on, combined as arrays: a value the table must retain, move and release correctly.
let wordLines = Job<String, [String]>("word-lines", combiner: { $0 + $1 }) { line, emit in
    for word in line.words { emit(word, [line.string]) }
} reduce: { _, lists in
    lists.flatMap { $0 }.sorted().joined(separator: "|")
}

/// The combining collector against a dictionary: every key length around the short-key limits, multi-byte letters,
/// counted and listed values, with and without spills, one and several partitions.
@Suite struct CombiningTests {
    /// Words of 1 to 40 bytes (so 1 to 42 encoded), ASCII and two- and three-byte letters, in 3,000 lines (3,000 distinct, so a 64 KiB table spills).
    func text() -> [String] {
        var random = SeededRandom(seed: 24)
        let letters = ["a", "b", "Z", "é", "ß", "日", "本", "q", "x"]
        let vocabulary = (0..<3000).map { number -> String in
            var word = ""
            let length = 1 + number % 40
            while word.utf8.count < length { word += letters[Int(random.next() % UInt64(letters.count))] }
            return word
        }
        return (0..<3000).map { line in
            (0..<(1 + line % 12)).map { _ in vocabulary[Int(random.next() % UInt64(vocabulary.count))] }.joined(separator: line % 2 == 0 ? " " : ", ")
        }
    }

    /// A short key loaded with two masked 8-byte loads (where 16 bytes are readable) is the key loaded without
    /// reading past its end: the bytes after it, all set here, are masked away at every length.
    @Test func maskedWordLoadsMatchLoadsThatStopAtTheEnd() {
        let bytes = (1...32).map { UInt8($0) | 0x80 }
        bytes.withUnsafeBytes { bytes in
            for count in 1...16 {
                let word = UnsafeRawBufferPointer(rebasing: bytes[..<count])
                let masked = CollectorState<String, Int>.maskedWords(word)
                let padded = CollectorState<String, Int>.paddedWords(word)
                #expect(masked == padded, "\(count) bytes")
            }
        }
    }

    @Test(arguments: [1 << 30, 64 << 10], [1, 3])
    func combiningGivesWhatADictionaryComputes(memoryBudget: Int, reducers: Int) throws {
        let directory = try TemporaryDirectory()
        let lines = text()
        let input = try directory.write("in.txt", lines.joined(separator: "\n") + "\n")
        var counts: [String: Int] = [:]
        var onLines: [String: [String]] = [:]
        for line in lines {
            for word in line.utf8.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: ",") }) {
                counts[String(decoding: word, as: UTF8.self), default: 0] += 1
                onLines[String(decoding: word, as: UTF8.self), default: []].append(line)
            }
        }
        let configuration = JobConfiguration(reducers: reducers, splitSize: 256 << 10, memoryBudget: memoryBudget, syncFiles: false)
        for job in [AnyJob(wordsCounted), AnyJob(stringsCounted), AnyJob(wordLines)] {
            let summary = try SequentialRunner(configuration: configuration).run(job, inputs: [input], output: directory.appending(job.name))
            #expect((summary.spills > 0) == (memoryBudget < 1 << 20), "\(job.name): \(summary.spills) spills")
            let output = try JobOutput(directory: directory.appending(job.name)).dictionary
            let expected =
                job.name == "word-lines"
                ? onLines.mapValues { $0.sorted().joined(separator: "|") } : counts.mapValues(String.init)
            #expect(output == expected, "\(job.name): \(output.count) keys, expected \(expected.count)")
        }
    }
}
