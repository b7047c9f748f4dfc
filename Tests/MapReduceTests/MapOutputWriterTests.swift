import Foundation
import MapReduce
import MapReduceTesting
import Testing

/// A map attempt leaves one output file whatever the number of partitions, spills or not, and its partitions hold
/// exactly what the sequential pipeline would give each reducer.
@Suite struct MapOutputWriterTests {
    static let wordCount = Job<String, Int>("word-count", combiner: { $0 + $1 }) { line, emit in
        for word in line.words { emit(word, 1) }
    } reduce: { _, counts in
        counts.reduce(0, +)
    }

    /// Today (format 1) an attempt of R = 64 left 64 files, and spills 64 more each until the merge.
    @Test(arguments: [64 << 20, 1 << 16])
    func aMapAttemptLeavesOneFileWhateverThePartitionsAndSpills(memoryBudget: Int) throws {
        let directory = try TemporaryDirectory()
        /// `n` in base 26 with letters, so that `line.words` keeps it whole.
        func letters(_ n: Int) -> String { n < 26 ? String(UnicodeScalar(UInt8(97 + n))) : letters(n / 26 - 1) + letters(n % 26) }
        let text = (0..<20_000).map { "w\(letters($0 % 5000)) o\(letters($0 % 77)) l\(letters($0))" }.joined(separator: "\n") + "\n"
        let input = try directory.write("in.txt", text)
        let settings = ShuffleSettings(partitions: 64, memoryBudget: memoryBudget)
        let context = MapTaskContext(
            task: 0, attempt: AttemptID(1), splits: [InputSplit(file: InputFile(path: input), start: 0, end: Int64(text.utf8.count))],
            directory: directory.appending("map"), settings: settings)
        let output = try AnyStep(Self.wordCount).runMapTask(context)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appending("map")) == ["0-attempt-1.mri"])
        #expect(memoryBudget > 1 << 20 ? output.spills == 0 : output.spills > 1, "\(output.spills) spills")
        #expect(output.emittedRecords == 60_000)
        var counts: [String: Int] = [:]
        var total: Int64 = 0
        for partition in 0..<64 {
            let reader = try IntermediateFileReader(path: output.file.path, partition: partition, expectedSize: output.file.bytes)
            var previous: [UInt8]? = nil
            while try reader.next() {
                let key = Array(reader.key)
                #expect(previous.map { $0.lexicographicallyPrecedes(key) } ?? true, "sorted and combined within partition \(partition)")
                previous = key
                let word = try String(decoding: reader.key)
                #expect(counts[word] == nil, "'\(word)' in one partition only")
                counts[word] = try Int(decoding: reader.value)
            }
            total += reader.recordsRead
        }
        #expect(total == output.file.records && counts.count == 5000 + 77 + 20_000)
        #expect(counts["w" + letters(42)] == 4 && counts["oa"] == 260)
    }
}
