import Foundation
import MapReduceTesting
import Testing

@testable import MapReduce

/// The keys with the most values, as each reduce task reports them.
@Suite struct HotKeysTests {
    @Test func keepsTheTenLargestAndMakesTextOnlyForThoseThatEnter() {
        var hot = HotKeys()
        var made = 0
        for count in [5, 1, 9, 3, 9, 7, 2, 8, 6, 4, 10, 1, 0] as [Int64] {
            hot.observe(count) {
                made += 1
                return "k\(count)"
            }
        }
        #expect(hot.entries.map(\.records) == [10, 9, 9, 8, 7, 6, 5, 4, 3, 2])
        #expect(hot.entries.map(\.key).prefix(3) == ["k10", "k9", "k9"])
        #expect(made == 11, "the last 1 and 0 never entered, so their text was never made")
        hot.observe(1) { String(repeating: "é", count: 300) }
        #expect(hot.entries.count == 10)
    }

    /// 200 bytes of three-byte characters end in the middle of one: a byte cut grew to 202 bytes once decoded.
    @Test func aKeyIsCutAtACharacterBoundaryToAtMost200Bytes() {
        let chinese = String(repeating: "中文", count: 100)
        #expect(HotKey.cut(chinese) == String(repeating: "中文", count: 33))
        #expect(HotKey.cut(chinese).utf8.count == 198)
        #expect(HotKey.cut("short") == "short")
        #expect(HotKey.cut(String(repeating: "a", count: 199) + "é") == String(repeating: "a", count: 199))
        var hot = HotKeys()
        hot.observe(3) { chinese }
        #expect(hot.entries[0].key.utf8.count <= HotKey.maximumKeyLength && !hot.entries[0].key.contains("\u{FFFD}"))
    }

    @Test func aReduceTaskReportsItsKeysWithTheMostValues() throws {
        // No combiner: a word's values are its occurrences.
        let job = AnyJob(
            Job<String, Int>("count") { line, emit in
                for word in line.words { emit(word, 1) }
            } reduce: { _, values in
                values.reduce(0, +)
            })
        let directory = try TemporaryDirectory()
        let names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett", "kilo", "lima"]
        let words = names.enumerated().flatMap { index, name in Array(repeating: name, count: index + 1) }.shuffled()
        let input = try directory.write("in.txt", words.joined(separator: "\n") + "\n")
        let plan = try JobPlanner.plan(
            job, inputs: [input], configuration: .init(splitSize: 16), directory: directory.path, output: directory.appending("out"))
        let maps = plan.mapTasks.indices.map { CommittedMap(MapTaskID($0), AttemptID(UInt64($0))) }
        for map in maps { _ = try job.steps[0].runMapTask(plan.mapTaskContext(map.task, map.attempt)) }
        let output = try job.steps[0].runReduceTask(plan.reduceTaskContext(ReduceTaskID(0), AttemptID(99), maps: maps))
        #expect(output.hotKeys.map(\.key) == Array(names.reversed().prefix(10)))
        #expect(output.hotKeys.map(\.records) == (3...12).reversed().map(Int64.init))
    }
}
