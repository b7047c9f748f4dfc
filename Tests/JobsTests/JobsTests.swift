import FaultInjection
import Foundation
import Jobs
import MapReduce
import MapReduceTesting
import Testing

/// An independent word splitter over Unicode scalars (not the framework's byte scanner): a word is a maximal run
/// of scalars in categories Lu, Ll, Lt, Lm, Lo.
func referenceWords(_ text: String) -> [String] {
    var words: [String] = []
    var current = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            current.append(scalar)
        default:
            if !current.isEmpty { words.append(String(current)) }
            current = String.UnicodeScalarView()
        }
    }
    if !current.isEmpty { words.append(String(current)) }
    return words
}

/// The inputs every job test runs over: the examples the project ships, and the Gutenberg books when present.
enum TestInputs {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var examples: [String] { files(in: "\(packageRoot)/Examples/WordCount/input") }

    static var gutenberg: [String] { files(in: "\(packageRoot)/../shared/data/gutenberg").filter { $0.hasSuffix(".txt") } }

    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted().map { "\(directory)/\($0)" }
    }

    static var sets: [[String]] { [examples] + (gutenberg.isEmpty ? [] : [gutenberg]) }
}

@Suite struct JobsTests {
    @Test func examplesShipInputs() {
        #expect(TestInputs.examples.count >= 3)
    }

    @Test(arguments: TestInputs.sets)
    func wordCountMatchesAnIndependentCount(inputs: [String]) throws {
        var expected: [String: Int] = [:]
        for path in inputs {
            for word in referenceWords(try String(contentsOfFile: path, encoding: .utf8)) { expected[word, default: 0] += 1 }
        }
        let directory = try TemporaryDirectory()
        try SequentialRunner(configuration: .init(reducers: 3, splitSize: 256 << 10)).run(wordCount, inputs: inputs, output: directory.appending("out"))
        let output = try JobOutput(directory: directory.appending("out"))
        #expect(output.dictionary == expected.mapValues(String.init))
        // Each key is in the part its stable hash names, and keys are in byte order within a part.
        for (index, part) in output.parts.enumerated() {
            for line in String(decoding: part.bytes, as: UTF8.self).split(separator: "\n") {
                let key = String(line.prefix { $0 != " " })
                #expect(StableHash.hash(key.encodedBytes) % 3 == UInt64(index), "\(key) in \(part.name)")
            }
        }
        for part in output.parts {
            let keys = String(decoding: part.bytes, as: UTF8.self).split(separator: "\n").map { $0.prefix { $0 != " " } }
            #expect(keys == keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
    }

    @Test(arguments: TestInputs.sets)
    func invertedIndexMatchesAnIndependentIndex(inputs: [String]) throws {
        var files: [String: Set<String>] = [:]
        for path in inputs {
            let name = URL(fileURLWithPath: path).lastPathComponent
            for word in referenceWords(try String(contentsOfFile: path, encoding: .utf8)) { files[word, default: []].insert(name) }
        }
        let expected = files.mapValues { names in
            "\(names.count) " + names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: ",")
        }
        let directory = try TemporaryDirectory()
        try SequentialRunner(configuration: .init(reducers: 2, splitSize: 256 << 10)).run(invertedIndex, inputs: inputs, output: directory.appending("out"))
        #expect(try JobOutput(directory: directory.appending("out")).dictionary == expected)
    }

    @Test func gutenbergFactsHoldWhenTheBooksArePresent() throws {
        let books = TestInputs.gutenberg
        guard !books.isEmpty else { return }
        let directory = try TemporaryDirectory()
        try SequentialRunner(configuration: .init(reducers: 4)).run(wordCount, inputs: books, output: directory.appending("out"))
        let counts = try JobOutput(directory: directory.appending("out")).dictionary.mapValues { Int($0)! }
        #expect(counts.count == 22_107)
        #expect(counts.values.reduce(0, +) == 623_948)
        #expect(counts["the"] == 29_748)
    }

    @Test func builtInCatalogHoldsOnlyRealJobs() throws {
        #expect(JobCatalog.builtIn.names == ["grep", "inverted-index", "sales-etl", "sales-join", "sort", "top-words-per-book", "word-count"])
        #expect(JobCatalog.faultInjection.names == ["crash-word-count", "probe-count", "probe-histogram", "probe-steps", "probe-word-count"])
        #expect(JobCatalog.builtIn.merging(.faultInjection).names.count == 12)
    }
}
