import Foundation
import MapReduceTesting
import Testing

@testable import MapReduce

/// Line lengths per first letter, with no combiner: every pair is buffered, sorted and spilled.
let lineLengths = Job<String, Int>("line-lengths") { line, emit in
    let text = line.string
    emit(String(text.prefix(1)), text.utf8.count)
} reduce: { _, lengths in
    lengths.map(String.init).joined(separator: ",")
}

/// Word count with keys routed by a custom partitioner (first byte mod R).
let firstLetterPartitioned = Job<String, Int>(
    "first-letter", combiner: { $0 + $1 },
    partitioner: { key, partitions in
        Int(key.utf8.first ?? 0) % partitions
    }
) { line, emit in
    for word in line.words { emit(word, 1) }
} reduce: { _, counts in
    counts.reduce(0, +)
}

@Suite struct SequentialRunnerTests {
    func corpus(in directory: TemporaryDirectory) throws -> [String] {
        var random = SystemRandomNumberGenerator()
        let vocabulary = (0..<30000).map { number in
            // Letters only: digits would separate words.
            String(String(number, radix: 26).unicodeScalars.map { Character(Unicode.Scalar($0.value < 58 ? $0.value + 49 : $0.value + 10)!) })
        }
        return try (0..<3).map { file in
            let lines = (0..<4000).map { _ in
                (0..<8).map { _ in vocabulary[Int.random(in: 0..<Int.random(in: 1...30000, using: &random), using: &random)] }.joined(separator: " ")
            }
            return try directory.write("in/f\(file).txt", lines.joined(separator: "\n") + "\n")
        }
    }

    func run<K, V>(_ job: Job<K, V>, _ inputs: [String], _ configuration: JobConfiguration, in directory: TemporaryDirectory, _ name: String) throws -> (
        JobSummary, JobOutput
    ) {
        let report = try SequentialRunner(configuration: configuration).run(job, inputs: inputs, output: directory.appending(name))
        return (report, try JobOutput(directory: directory.appending(name)))
    }

    @Test func spillingUnderATinyBudgetGivesTheSameOutput() throws {
        let directory = try TemporaryDirectory()
        let inputs = try corpus(in: directory)
        for job in [AnyJob(lineLengths), AnyJob(firstLetterPartitioned)] {
            let roomy = try SequentialRunner(configuration: .init(reducers: 3)).run(job, inputs: inputs, output: directory.appending("\(job.name)-roomy"))
            let tight = try SequentialRunner(configuration: .init(reducers: 3, splitSize: 1 << 30, memoryBudget: 1 << 16, syncFiles: false))
                .run(job, inputs: inputs, output: directory.appending("\(job.name)-tight"))
            #expect(roomy.spills == 0)
            #expect(tight.spills > 5, "the budget must force many spills (got \(tight.spills))")
            let difference = try JobOutput(directory: directory.appending("\(job.name)-roomy")).firstDifference(
                from: JobOutput(directory: directory.appending("\(job.name)-tight")))
            #expect(difference == nil)
        }
    }

    @Test func valuesArriveInInputOrderAcrossSpillsAndTasks() throws {
        let directory = try TemporaryDirectory()
        let text = (0..<5000).map { "k" + String(repeating: "y", count: $0 % 50) }.joined(separator: "\n")
        let input = try directory.write("in.txt", text)
        let (_, output) = try run(lineLengths, [input], .init(reducers: 1, splitSize: 4096, memoryBudget: 1 << 16, syncFiles: false), in: directory, "out")
        let expected = (0..<5000).map { String(1 + $0 % 50) }.joined(separator: ",")
        #expect(output.dictionary["k"] == expected)
    }

    @Test func outputHasOnePartPerReducerSuccessMarkerAndNoTemporaryFiles() throws {
        let directory = try TemporaryDirectory()
        let inputs = try corpus(in: directory)
        let (report, output) = try run(firstLetterPartitioned, inputs, .init(reducers: 4, splitSize: 50_000), in: directory, "out")
        #expect(output.parts.map(\.name) == ["part-00000", "part-00001", "part-00002", "part-00003"])
        #expect(output.succeeded)
        #expect(report.mapTasks > 3)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.appending("out")).sorted()
        #expect(names == ["_SUCCESS", "_summary.json", "part-00000", "part-00001", "part-00002", "part-00003"])
        // The summary a coordinator writes, written by the local runner too, from the same accounting.
        let written = try JobSummary(readingFrom: OutputDirectory(path: directory.appending("out")))
        #expect(written == report)
        #expect(written.mapAttempts == written.mapTasks && written.reduceAttempts == 4 && written.failedAttempts == 0)
        #expect(written.outputBytes == Int64(output.parts.reduce(0) { $0 + $1.bytes.count }))
        // The custom partitioner decided where each key went; every key's first byte agrees with its file.
        for (index, part) in output.parts.enumerated() {
            for line in String(decoding: part.bytes, as: UTF8.self).split(separator: "\n") {
                #expect(Int(line.utf8.first!) % 4 == index)
            }
        }
        // Keys are sorted within each part.
        let keys = output.lines.map { String($0.prefix { $0 != " " }) }
        #expect(keys.count == report.outputRecords)
    }

    /// A file being written never has a name a reader of the output, or of an input directory, takes as data.
    @Test func aFileBeingWrittenIsHiddenUntilCommitted() throws {
        let directory = try TemporaryDirectory()
        let output = OutputDirectory(path: directory.path)
        let file = try WritableFile(path: output.partFile(0))
        try file.write(Array("partial".utf8))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.count == 1 && names[0].hasPrefix(".part-00000.tmp-") && WritableFile.isTemporary(names[0]), "\(names)")
        try file.commit(sync: false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["part-00000"])
    }

    @Test func existingOutputIsNeverOverwritten() throws {
        let directory = try TemporaryDirectory()
        let inputs = try corpus(in: directory)
        _ = try run(firstLetterPartitioned, inputs, .init(), in: directory, "out")
        let error = try #require(throws: JobError.self) { try run(firstLetterPartitioned, inputs, .init(), in: directory, "out") }
        #expect(error.code == .outputExists)
    }

    @Test func badConfigurationAndMissingInputFailBeforeAnyWork() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: JobError.self) { try run(lineLengths, [], .init(reducers: 0), in: directory, "a") }
        #expect(throws: InputError.self) { try run(lineLengths, [directory.appending("missing")], .init(), in: directory, "b") }
        #expect(!FileManager.default.fileExists(atPath: directory.appending("b")))
    }

    /// Level 0 stores intermediate blocks uncompressed (codec 0) and zstd's fast levels (-1 to -7) compress less:
    /// the same output, from larger intermediate files (spills and merge passes too); levels outside -7 to 19 are
    /// refused.
    @Test func storedIntermediateFilesGiveTheSameOutput() throws {
        let directory = try TemporaryDirectory()
        let inputs = try corpus(in: directory)
        var intermediateBytes: [Int32: Int64] = [:]
        for level: Int32 in [1, 0, -1, -7] {
            let configuration = JobConfiguration(reducers: 3, splitSize: 1 << 30, memoryBudget: 1 << 16, compressionLevel: level, syncFiles: false)
            let (summary, _) = try run(firstLetterPartitioned, inputs, configuration, in: directory, "level-\(level)")
            #expect(summary.spills > 1)
            intermediateBytes[level] = summary.intermediateBytes
        }
        #expect(try JobOutput(directory: directory.appending("level-0")).firstDifference(from: JobOutput(directory: directory.appending("level-1"))) == nil)
        for level: Int32 in [-1, -7] {
            let output = try JobOutput(directory: directory.appending("level-\(level)"))
            #expect(try output.firstDifference(from: JobOutput(directory: directory.appending("level-1"))) == nil)
        }
        #expect(intermediateBytes[0]! > 2 * intermediateBytes[1]!, "\(intermediateBytes)")
        #expect(intermediateBytes[1]! < intermediateBytes[-1]!, "\(intermediateBytes)")
        #expect(intermediateBytes[-7]! < intermediateBytes[0]!, "\(intermediateBytes)")
        for level: Int32 in [-8, 20] {
            let error = try #require(throws: JobError.self) { try run(lineLengths, inputs, .init(compressionLevel: level), in: directory, "bad") }
            #expect(error.message.contains("compression level must be from -7 to 19"), "\(error)")
        }
    }

    @Test func mapFailureNamesTheFileLineAndOffset() throws {
        struct Boom: Error {}
        let failing = Job<String, Int>("failing") { line, _ in
            if line.string == "bad" { throw Boom() }
        } reduce: { _, _ in
            0
        }
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.txt", "ok\nbad\n")
        let error = try #require(throws: JobError.self) { try run(failing, [input], .init(), in: directory, "out") }
        #expect(error.code == .mapFailed)
        #expect(error.message.contains("line 2 (byte 3) of '\(input)'"))
    }

    /// A failed attempt left its spills and partial files in the shared directory, so a full disk stayed full
    /// across retries (issue 22): its directory is removed when it fails, map or reduce.
    @Test func aFailedAttemptLeavesNothingBehind() throws {
        struct Boom: Error {}
        let mapFails = Job<String, Int>("map-fails") { line, emit in
            if line.string == "last" { throw Boom() }
            emit(line.string, 1)
        } reduce: { _, counts in
            counts.reduce(0, +)
        }
        let reduceFails = Job<String, Int>("reduce-fails") { line, emit in
            emit(line.string, 1)
        } reduce: { key, _ in
            if key == "last" { throw Boom() }
            return 1
        }
        for job in [AnyJob(mapFails), AnyJob(reduceFails)] {
            let directory = try TemporaryDirectory()
            let input = try directory.write("in.txt", (0..<60000).map { "line \($0)" }.joined(separator: "\n") + "\nlast\n")
            // A tiny budget: the map attempt spills many runs before it fails, and the reduce merges in passes.
            let configuration = JobConfiguration(reducers: 1, memoryBudget: 1 << 16, syncFiles: false)
            let error = try #require(throws: JobError.self) {
                try SequentialRunner(configuration: configuration).run(job, inputs: [input], output: directory.appending("out"))
            }
            #expect(error.code == (job.name == "map-fails" ? .mapFailed : .reduceFailed), "\(error)")
            let shuffle = "\(OutputDirectory(path: directory.appending("out")).temporaryDirectory)/shuffle"
            let left = (try? FileManager.default.subpathsOfDirectory(atPath: job.name == "map-fails" ? "\(shuffle)/map" : "\(shuffle)/reduce/0")) ?? []
            #expect(left.isEmpty, "\(job.name) left \(left.prefix(5))")
        }
    }

    /// Of an abandoned attempt, only its own files are removed, whatever paths an assignment names: the names its
    /// task and attempt give, in a directory called `map` or `reduce`.
    @Test func onlyAnAttemptsFilesAreRemovedAsAbandoned() throws {
        let maps = try TemporaryDirectory()
        let mapNames = ["3-attempt-7.mri", "3-attempt-7.bad-records.jsonl", "3-attempt-7.spill/run-0.mri", "3-attempt-8.mri", "4-attempt-7.mri", "keep.txt"]
        for folder in ["map", "other"] {
            for name in mapNames { try maps.write("\(folder)/\(name)", "x") }
            MapOutputLayout(directory: maps.appending(folder), task: 3, attempt: AttemptID(7)).removeAbandoned()
            let left = try FileManager.default.subpathsOfDirectory(atPath: maps.appending(folder)).filter { !$0.hasSuffix(".spill") }.sorted()
            #expect(left == (folder == "map" ? ["3-attempt-8.mri", "4-attempt-7.mri", "keep.txt"] : mapNames.sorted()), "\(folder): \(left)")
        }
        let reduces = try TemporaryDirectory()
        let reduceNames = ["3-attempt-7.part", "3-attempt-7.work/pass-0.mri", "3-attempt-8.part", "4-attempt-7.part", "keep.txt", "03-attempt-7.part"]
        for folder in ["reduce", "other"] {
            for name in reduceNames { try reduces.write("\(folder)/\(name)", "x") }
            for name in ["3-attempt-7.part", "keep.txt", "03-attempt-7.part", "3-attempt-.part", "3-attempt-7.partx", "-3-attempt-7.part"] {
                ReduceOutputLayout(outputFile: reduces.appending("\(folder)/\(name)"))?.removeAbandoned()
            }
            let left = try FileManager.default.subpathsOfDirectory(atPath: reduces.appending(folder)).filter { !$0.hasSuffix(".work") }.sorted()
            let kept = ["03-attempt-7.part", "3-attempt-8.part", "4-attempt-7.part", "keep.txt"]
            #expect(left == (folder == "reduce" ? kept : reduceNames.sorted()), "\(folder): \(left)")
        }
    }

    @Test func partitionerOutOfRangeFailsTheTask() throws {
        let bad = Job<String, Int>("bad-partitioner", partitioner: { _, _ in 99 }) { line, emit in
            emit(line.string, 1)
        } reduce: { _, _ in
            0
        }
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.txt", "x\n")
        let error = try #require(throws: JobError.self) { try run(bad, [input], .init(reducers: 2), in: directory, "out") }
        #expect(error.code == .badPartition)
    }

    @Test func countersAddUpOverTasksFromMapAndReduce() throws {
        let counting = Job<String, Int>("counting", combiner: { $0 + $1 }) { line, emit in
            Counters.increment(line.bytes.isEmpty ? "empty-lines" : "lines")
            for word in line.words { emit(word, 1) }
        } reduce: { _, counts in
            Counters.increment("keys")
            Counters.increment("words", by: Int64(counts.reduce(0, +)))
            return 0
        }
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.txt", (0..<300).map { $0 % 3 == 0 ? "" : "w\($0 % 7 == 0 ? "a" : "b") x" }.joined(separator: "\n") + "\n")
        let (report, _) = try run(counting, [input], .init(reducers: 3, splitSize: 256), in: directory, "out")
        #expect(report.mapTasks > 3)
        #expect(report.counters == ["empty-lines": 100, "lines": 200, "keys": 3, "words": 400])
        Counters.increment("outside-a-task")  // does nothing, and does not crash
    }

    @Test func badRecordsAreSkippedWithWhatTheyEmittedAndListed() throws {
        let picky = Job<String, Int>("picky", combiner: { $0 + $1 }) { line, emit in
            for word in line.words { emit(word, 1) }
            if line.string.hasPrefix("BAD") { throw JobError(.mapFailed, "malformed") }
        } reduce: { _, counts in
            counts.reduce(0, +)
        }
        let directory = try TemporaryDirectory()
        let lines = (0..<400).map { $0 % 97 == 5 ? "BAD poison \($0)" : "good \($0 % 2 == 0 ? "even" : "odd") words" }
        let input = try directory.write("in.txt", lines.joined(separator: "\n") + "\n")
        let badOffsets = lines.indices.filter { lines[$0].hasPrefix("BAD") }.map { index in
            Int64(lines[..<index].reduce(0) { $0 + $1.utf8.count + 1 })
        }
        let (report, output) = try run(picky, [input], .init(reducers: 2, splitSize: 2048, skipBadRecords: 10), in: directory, "out")
        #expect(report.mapTasks > 1)
        #expect(report.skippedRecords == 5)  // lines 5, 102, 199, 296 and 393
        // Nothing a bad line emitted before throwing reached the output: no "BAD", no "poison".
        #expect(output.dictionary == ["good": "395", "even": "198", "odd": "197", "words": "395"])
        let listed = try String(contentsOfFile: directory.appending("out/_bad_records.jsonl"), encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(BadRecord.self, from: Data($0.utf8))
        }
        #expect(listed.map(\.offset) == badOffsets)
        #expect(listed.allSatisfy { $0.file == input && $0.error == "malformed" })

        let error = try #require(throws: JobError.self) {
            try run(picky, [input], .init(reducers: 2, splitSize: 2048, skipBadRecords: 3), in: directory, "too-many")
        }
        #expect(error.code == .tooManyBadRecords || error.code == .mapFailed)
        #expect(!FileManager.default.fileExists(atPath: directory.appending("too-many/_SUCCESS")))
    }

    @Test func catalogNamesTheKnownJobsForAnUnknownOne() throws {
        let catalog = JobCatalog([AnyJob(lineLengths), AnyJob(firstLetterPartitioned)])
        let error = try #require(throws: JobError.self) { try catalog.job(named: "nope") }
        #expect(error.message == "unknown job 'nope'; known jobs: first-letter, line-lengths")
        #expect(try catalog.job(named: "line-lengths").name == "line-lengths")
    }
}
