import Foundation
import MapReduce
import MapReduceTesting
import Testing

/// Attempts create one file each and no directory of their own (issue 20). A map attempt used to create `map/<m>/`
/// and `map/<m>/attempt-<a>/` before its file, a reduce attempt `reduce/<r>/`, `attempt-<a>/`, `out/` and `work/`;
/// on this machine's ext4 (no journal, so every new inode skips the recently deleted ones) creating them was a
/// quarter of the CPU of a job of 1,024 small map tasks, and on a network filesystem each is a round trip. An attempt
/// that spills, or merges in passes, makes a directory for those files and removes it at the end.
@Suite struct AttemptLayoutTests {
    static let wordCount = Job<String, Int>("word-count") { line, emit in
        for word in line.string.split(separator: " ") { emit(String(word), 1) }
    } reduce: { _, counts in
        counts.reduce(0, +)
    }

    @Test(arguments: [64 << 20, 1 << 16])
    func attemptsCreateOneFileEachAndNoDirectory(memoryBudget: Int) throws {
        let directory = try TemporaryDirectory()
        let text = (0..<30_000).map { "word\($0 % 3000) other\($0)" }.joined(separator: "\n") + "\n"
        let input = try directory.write("in.txt", text)
        let third = Int64(text.utf8.count / 3)
        let plan = JobPlan(
            job: "word-count",
            mapTasks: (0..<3).map {
                [InputSplit(file: InputFile(path: input), start: third * Int64($0), end: $0 == 2 ? Int64(text.utf8.count) : third * Int64($0 + 1))]
            },
            configuration: JobConfiguration(reducers: 4, memoryBudget: memoryBudget, syncFiles: false), directory: directory.appending("job"),
            output: directory.appending("out"))
        try FileManager.default.createDirectory(atPath: plan.directory, withIntermediateDirectories: true)
        var files: [String] = []
        for (map, attempt) in [(0, 3), (1, 4), (2, 5), (0, 9)] {
            let output = try AnyStep(Self.wordCount).runMapTask(plan.mapTaskContext(MapTaskID(map), AttemptID(UInt64(attempt))))
            #expect(output.file.path == plan.mapOutputFile(MapTaskID(map), AttemptID(UInt64(attempt))))
            #expect(memoryBudget > 1 << 20 ? output.spills == 0 : output.spills > 1, "\(output.spills) spills")
            files.append(output.file.path)
        }
        let maps = [(0, 3), (1, 4), (2, 5)].map { CommittedMap(MapTaskID($0), AttemptID(UInt64($1))) }
        var words = 0
        for reduce in 0..<4 {
            let attempt = AttemptID(UInt64(20 + reduce))
            let output = try AnyStep(Self.wordCount).runReduceTask(plan.reduceTaskContext(ReduceTaskID(reduce), attempt, maps: maps))
            #expect(output.path == plan.reduceOutputFile(ReduceTaskID(reduce), attempt))
            words += Int(output.records)
            files.append(output.path)
        }
        #expect(words == 3000 + 30_000)
        let created = try FileManager.default.subpathsOfDirectory(atPath: plan.directory).sorted()
        #expect(created == (["map", "reduce"] + files.map { String($0.dropFirst(plan.directory.count + 1)) }).sorted(), "\(created)")
    }
}
