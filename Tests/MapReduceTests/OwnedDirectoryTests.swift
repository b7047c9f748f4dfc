import Foundation
import MapReduce
import MapReduceTesting
import Testing

/// An attempt removes only what it created: pointed at a scratch directory that already exists, it refuses to
/// use it, so it can never delete someone else's files when it cleans up.
@Suite struct OwnedDirectoryTests {
    /// A reduce attempt makes its scratch directory only to merge in passes (inputs that do not fit in memory
    /// together); given one that exists, it leaves it alone when it needs none, and refuses it when it does.
    @Test(arguments: [false, true])
    func aReduceAttemptRefusesAScratchDirectoryItDidNotCreate(mergesInPasses: Bool) throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.txt", "a b c\n")
        let job = Job<String, Int>("word-count", combiner: { $0 + $1 }) { line, emit in
            for word in line.words { emit(word, 1) }
        } reduce: { _, counts in
            counts.reduce(0, +)
        }
        // A 64 KiB budget merges two runs larger than a block at a time, and blocks of 16 bytes make every run larger.
        let settings = ShuffleSettings(partitions: 1, memoryBudget: 1 << 16, blockSize: 16)
        let outputs = try (1...3).map { attempt in
            let map = MapTaskContext(
                task: 0, attempt: AttemptID(UInt64(attempt)), splits: [InputSplit(file: InputFile(path: input), start: 0, end: 6)],
                directory: directory.appending("map"), settings: settings)
            return try AnyStep(job).runMapTask(map).file.path
        }
        let precious = try directory.write("precious/keep.txt", "not the attempt's\n")
        let reduce = ReduceTaskContext(
            partition: 0, inputs: mergesInPasses ? outputs : [outputs[0]], outputPath: directory.appending("part-00000"),
            scratchDirectory: directory.appending("precious"), settings: settings)
        if mergesInPasses {
            let error = try #require(throws: FileIOError.self) { try AnyStep(job).runReduceTask(reduce) }
            #expect(error.description.contains("already exists"), "\(error)")
        } else {
            #expect(try AnyStep(job).runReduceTask(reduce).records == 3)
        }
        #expect(FileManager.default.fileExists(atPath: precious), "nothing it did not create was removed")
    }
}
