import Foundation
import MapReduce
import MapReduceTesting
import Testing

/// An attempt the coordinator no longer wants must stop, not run on beside the worker's next task.
@Suite struct TaskCancellationTests {
    static let wordCount = Job<String, Int>("word-count", combiner: { $0 + $1 }) { line, emit in
        for word in line.words { emit(word, 1) }
    } reduce: { _, counts in
        counts.reduce(0, +)
    }

    @Test func aCancelledMapAttemptStopsAtItsNextRecord() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.txt", String(repeating: "many words on many lines\n", count: 10_000))
        let cancellation = TaskCancellation()
        let counted = Job<String, Int>("counted") { line, emit in
            if line.offset > 1000 { cancellation.cancel() }  // the coordinator gives up on the attempt mid-split
            emit(line.string, 1)
        } reduce: { _, counts in
            counts.reduce(0, +)
        }
        let split = InputSplit(file: InputFile(path: input), start: 0, end: 250_000)
        let context = MapTaskContext(
            task: 0, attempt: AttemptID(1), splits: [split], directory: directory.appending("map"), settings: ShuffleSettings(partitions: 1),
            cancellation: cancellation)
        let error = try #require(throws: JobError.self) { try AnyStep(counted).runMapTask(context) }
        #expect(error.code == .cancelled)
    }

    @Test func aCancelledReduceAttemptStopsAtItsNextKey() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.txt", "a b c d e f g h\n")
        let map = MapTaskContext(
            task: 0, attempt: AttemptID(1), splits: [InputSplit(file: InputFile(path: input), start: 0, end: 16)], directory: directory.appending("map"),
            settings: ShuffleSettings(partitions: 1))
        let output = try AnyStep(Self.wordCount).runMapTask(map)
        let cancellation = TaskCancellation()
        cancellation.cancel()
        let reduce = ReduceTaskContext(
            partition: 0, inputs: [output.file.path], outputPath: directory.appending("part-00000"), scratchDirectory: directory.appending("work"),
            settings: ShuffleSettings(partitions: 1), cancellation: cancellation)
        let error = try #require(throws: JobError.self) { try AnyStep(Self.wordCount).runReduceTask(reduce) }
        #expect(error.code == .cancelled)
        #expect(!FileManager.default.fileExists(atPath: directory.appending("part-00000")), "nothing was published")
    }
}
