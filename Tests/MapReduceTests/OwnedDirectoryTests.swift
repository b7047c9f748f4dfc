import Foundation
import MapReduce
import MapReduceTesting
import Testing

/// An attempt removes only what it created: pointed at a scratch directory that already exists, it refuses to
/// use it, so it can never delete someone else's files when it cleans up.
@Suite struct OwnedDirectoryTests {
    @Test func aReduceAttemptRefusesAScratchDirectoryItDidNotCreate() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.txt", "a b c\n")
        let job = Job<String, Int>("word-count", combiner: { $0 + $1 }) { line, emit in
            for word in line.words { emit(word, 1) }
        } reduce: { _, counts in
            counts.reduce(0, +)
        }
        let map = MapTaskContext(
            task: 0, attempt: AttemptID(1), splits: [InputSplit(file: InputFile(path: input), start: 0, end: 6)], directory: directory.appending("map"),
            settings: ShuffleSettings(partitions: 1))
        let output = try AnyStep(job).runMapTask(map)
        let precious = try directory.write("precious/keep.txt", "not the attempt's\n")
        let reduce = ReduceTaskContext(
            partition: 0, inputs: [output.file.path], outputPath: directory.appending("part-00000"),
            scratchDirectory: directory.appending("precious"), settings: ShuffleSettings(partitions: 1))
        let error = try #require(throws: FileIOError.self) { try AnyStep(job).runReduceTask(reduce) }
        #expect(error.description.contains("already exists"), "\(error)")
        #expect(FileManager.default.fileExists(atPath: precious), "nothing it did not create was removed")
    }
}
