import Foundation
import MapReduce
import MapReduceTesting
import Testing

/// A small input is cut into enough map tasks for every worker: split size = min(--split-size, max(4 MiB,
/// input ÷ --map-tasks)).
@Suite struct SplitPlannerTests {
    /// A sparse file of `size` bytes (planning reads sizes only).
    func file(_ directory: TemporaryDirectory, _ name: String, size: Int64) throws -> String {
        let path = directory.appending(name)
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, off_t(size)) == 0)
        return path
    }

    /// Today 64 MiB in four files was one map task, and the second worker sat idle through the map phase.
    @Test(arguments: [
        // (input files in MiB, split size in MiB, target map tasks, expected map tasks)
        ([16, 16, 16, 16], 64, 8, 8),
        ([64], 64, 8, 8),
        ([16], 64, 8, 4),  // 2 MiB shares are below the 4 MiB minimum
        ([16], 1, 8, 16),  // an explicit split size below the minimum is kept
        ([16], 64, 1, 1),
        ([1024], 64, 8, 16),  // a large input keeps the split size
    ])
    func aSmallInputIsCutIntoEnoughMapTasks(sizes: [Int], splitSize: Int, target: Int, expected: Int) throws {
        let directory = try TemporaryDirectory()
        let paths = try sizes.enumerated().map { try file(directory, "in-\($0.offset)", size: Int64($0.element) << 20) }
        let configuration = JobConfiguration(splitSize: Int64(splitSize) << 20, targetMapTasks: target)
        let tasks = try SplitPlanner(configuration).plan(paths)
        #expect(tasks.count == expected, "\(tasks.map { $0.map(\.length) })")
        #expect(tasks.joined().reduce(0) { $0 + $1.length } == Int64(sizes.reduce(0, +)) << 20, "every byte is planned once")
    }

    @Test func aTargetOutOfRangeIsRefusedNamingTheFlag() {
        let error = #expect(throws: JobError.self) { try JobConfiguration(targetMapTasks: 0).validate() }
        #expect(error?.message.contains("--map-tasks") == true)
    }
}
