import Foundation
import MapReduce
import MapReduceTesting
import Testing

/// Jobs of several steps in one process: what each step hands the next, the job's output against an independent
/// computation, the summary of every step, and errors that name the step and the pair.
@Suite struct StepsTests {
    /// Each word's count.
    static let count = Step<String, Int, String, Int>("count", combiner: +) { line, emit in
        for word in line.words { emit(word, 1) }
    } reduce: { word, counts, emit in
        emit(word, counts.reduce(0, +))
    }

    /// How many words have each count: a total-order step over pairs (its boundaries are sampled from the counts).
    static let histogram = Step<Int, Int, Int, Int>("histogram", after: count, combiner: +, totalOrder: true) { _, count, emit in
        emit(count, 1)
    } reduce: { count, words, emit in
        emit(count, words.reduce(0, +))
    }

    /// Per number of such words, the counts that have it, in ascending order (a secondary sort).
    static let job = Job<Int, Int>("by-frequency", after: histogram) { count, words, emit in
        emit(words, count)
    } reduce: { _, counts in
        counts.map(String.init).joined(separator: ",")
    }
    .sortingValues { $0 }

    /// About 200 KB of words drawn from a skewed vocabulary, in three files, and each word's count.
    static func corpus(in directory: TemporaryDirectory) throws -> (files: [String], counts: [String: Int]) {
        var random = SeededRandom(seed: 13)
        // Words of letters only: the index in base 26, digits spelled a to z.
        let vocabulary = (0..<3000).map { index in
            "w"
                + String(index, radix: 26).unicodeScalars.map { digit in
                    let value = digit.value <= 57 ? digit.value - 48 : digit.value - 87
                    return String(Character(Unicode.Scalar(97 + value)!))
                }.joined()
        }
        var counts: [String: Int] = [:]
        var files: [String] = []
        for file in 0..<3 {
            var lines: [String] = []
            for _ in 0..<2500 {
                let words = (0..<10).map { _ in vocabulary[min(Int(-log(Double.random(in: 0.0001...1, using: &random)) * 400), 2999)] }
                for word in words { counts[word, default: 0] += 1 }
                lines.append(words.joined(separator: " "))
            }
            files.append(try directory.write("in/\(file).txt", lines.joined(separator: "\n") + "\n"))
        }
        return (files, counts)
    }

    /// Runs `job` over the corpus with many map tasks, three reducers and a 64 KiB memory budget (spills and merge
    /// passes in every step).
    static func run(_ job: AnyJob, _ files: [String], in directory: TemporaryDirectory) throws -> (JobOutput, JobSummary) {
        let configuration = JobConfiguration(reducers: 3, splitSize: 64 << 10, memoryBudget: 64 << 10)
        let summary = try SequentialRunner(configuration: configuration).run(job, inputs: files, output: directory.appending("out"))
        return (try JobOutput(directory: directory.appending("out")), summary)
    }

    @Test func aJobOfThreeStepsEqualsAnIndependentComputation() throws {
        let directory = try TemporaryDirectory()
        let (files, counts) = try Self.corpus(in: directory)
        var histogram: [Int: Int] = [:]
        for count in counts.values { histogram[count, default: 0] += 1 }
        var byFrequency: [Int: [Int]] = [:]
        for (count, words) in histogram { byFrequency[words, default: []].append(count) }
        let expected = Dictionary(uniqueKeysWithValues: byFrequency.map { ("\($0.key)", $0.value.sorted().map(String.init).joined(separator: ",")) })

        let (output, _) = try Self.run(AnyJob(Self.job), files, in: directory)
        #expect(output.dictionary == expected)
    }

    @Test func eachStepPublishesThePairsItEmitsAsIntermediateFiles() throws {
        let directory = try TemporaryDirectory()
        let (files, counts) = try Self.corpus(in: directory)
        var histogram: [Int: Int] = [:]
        for count in counts.values { histogram[count, default: 0] += 1 }

        // The first two steps as a job of their own: the pairs step 2 hands step 3, in the intermediate format.
        let (output, summary) = try Self.run(AnyJob(Self.histogram), files, in: directory)
        #expect(summary.steps?.map(\.job) == ["count", "histogram"])
        var pairs: [(Int, Int)] = []
        for part in output.parts {
            let reader = try IntermediateFileReader(path: directory.appending("out/\(part.name)"))
            while try reader.next() {
                pairs.append((try Int(decoding: reader.key), try Int(decoding: reader.value)))
            }
        }
        #expect(Dictionary(uniqueKeysWithValues: pairs) == histogram)
        // A total-order step's partitions hold key ranges in order, so its files read in order are sorted.
        #expect(pairs.map(\.0) == pairs.map(\.0).sorted())
        #expect(output.parts.filter { $0.bytes.count > 64 }.count == 3, "the sampled boundaries spread the counts over the three partitions")
    }

    @Test func theSummaryHoldsEveryStepAndTheWholeJobsTotals() throws {
        let directory = try TemporaryDirectory()
        let (files, counts) = try Self.corpus(in: directory)
        let (_, summary) = try Self.run(AnyJob(Self.job), files, in: directory)
        let steps = try #require(summary.steps)
        #expect(steps.map(\.job) == ["count", "histogram", "by-frequency"])
        #expect(summary.job == "by-frequency")
        #expect(summary.inputRecords == 7500 && steps[0].inputRecords == 7500)
        #expect(steps[0].outputRecords == Int64(counts.count), "step 1 emits one pair per word")
        #expect(steps[1].inputRecords == steps[0].outputRecords, "step 2 reads every pair step 1 emitted")
        #expect(steps[2].inputRecords == steps[1].outputRecords)
        #expect(summary.outputRecords == steps[2].outputRecords)
        #expect(summary.mapTasks == steps.reduce(0) { $0 + $1.mapTasks } && summary.reduceTasks == 9)
        #expect(steps[0].mapTasks > 3 && steps[1].mapTasks >= 1, "step 1 cut its input; step 2 reads three whole files")
        #expect(steps[0].spills > 0, "step 1 spilled under the 64 KiB budget")
        #expect(try JobSummary(readingFrom: OutputDirectory(path: directory.appending("out"))) == summary)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.appending("out"))
        #expect(Set(leftovers) == ["_SUCCESS", "_summary.json", "part-00000", "part-00001", "part-00002"], "no step's files are left behind")
    }

    /// Parses `name amount` lines, dropping the others: a first step without a reduce function.
    static let parse = Step<String, Int, String, Int>("parse") { line, emit in
        let fields = line.string.split(separator: " ")
        guard fields.count == 2, let amount = Int(fields[1]) else { return Counters.increment("unparsed lines") }
        emit(String(fields[0]), amount)
    }

    /// Totals each name's amounts.
    static let total = Step<String, Int, String, Int>("total", after: parse, combiner: +) { name, amount, emit in
        emit(name, amount)
    } reduce: { name, amounts, emit in
        emit(name, amounts.reduce(0, +))
    }

    /// Keeps the totals over 100, keyed by their size class: a step without a reduce function after one with.
    static let large = Step<Int, String, Int, String>("large", after: total) { name, total, emit in
        if total > 100 { emit(total / 100, name) }
    }

    /// Writes each kept pair: a last step without a reduce function.
    static let listed = Job<Int, String>("listed", after: large) { size, name, emit in
        emit(size, name.uppercased())
    }

    @Test func stepsWithoutAReduceFunctionPassEveryPairOnOnce() throws {
        let directory = try TemporaryDirectory()
        var lines: [String] = []
        var totals: [String: Int] = [:]
        var random = SeededRandom(seed: 7)
        for index in 0..<20_000 {
            let name = "n\(Int.random(in: 0..<500, using: &random))"
            let amount = Int.random(in: 0..<30, using: &random)
            if index % 97 == 0 {
                lines.append("not a record")
                continue
            }
            lines.append("\(name) \(amount)")
            totals[name, default: 0] += amount
        }
        let input = try directory.write("in.txt", lines.joined(separator: "\n") + "\n")
        let expected = totals.filter { $0.value > 100 }.map { "\($0.value / 100) \($0.key.uppercased())" }.sorted()

        let configuration = JobConfiguration(reducers: 3, splitSize: 32 << 10, memoryBudget: 64 << 10)
        let summary = try SequentialRunner(configuration: configuration).run(Self.listed, inputs: [input], output: directory.appending("out"))
        let output = try JobOutput(directory: directory.appending("out"))
        #expect(output.lines.sorted() == expected)
        #expect(summary.steps?.map(\.job) == ["parse", "total", "large", "listed"])
        #expect(summary.counters == ["unparsed lines": Int64(lines.count { $0 == "not a record" })])
        #expect(summary.steps?[0].outputRecords == summary.steps?[0].mapOutputRecords, "every parsed pair passed on, each once")
        #expect(summary.steps?[3].outputRecords == Int64(expected.count))
    }

    /// A last step whose map function fails on pairs with an odd count.
    static let picky = Job<String, Int>("picky", after: count) { word, count, emit in
        guard count % 2 == 0 else { throw RecordFormatError("odd count \(count)") }
        emit(word, count)
    } reduce: { _, counts in
        counts.reduce(0, +)
    }

    @Test func aPairTheMapFunctionRejectsIsNamedWithItsStepAndPlaceOrSkipped() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.txt", "a a b c c\n")
        let error = try #require(throws: JobError.self) {
            try SequentialRunner(configuration: .init(reducers: 1)).run(Self.picky, inputs: [input], output: directory.appending("failed"))
        }
        #expect(error.message.contains("map of step 'picky' failed on pair 2 (emitted by the step before) of '"), "\(error.message)")
        #expect(error.message.contains("/output-0/part-00000'") && error.message.hasSuffix("odd count 1"), "\(error.message)")

        let summary = try SequentialRunner(configuration: .init(reducers: 1, skipBadRecords: 1)).run(
            Self.picky, inputs: [input], output: directory.appending("skipped"))
        #expect(summary.skippedRecords == 1)
        #expect(try JobOutput(directory: directory.appending("skipped")).lines == ["a 2", "c 2"])
        let badRecords = try String(contentsOfFile: directory.appending("skipped/_bad_records.jsonl"), encoding: .utf8)
        #expect(badRecords.contains("odd count 1") && badRecords.split(separator: "\n").count == 1, "\(badRecords)")
    }
}
