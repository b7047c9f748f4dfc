import Foundation
import MapReduceTesting
import Testing

@testable import MapReduce

/// A restarted coordinator and `report` read `_summary.json`: something else under that name is refused without
/// being read whole, or waited on.
@Suite struct JobSummaryFileTests {
    @Test func aFIFOOrAHugeFileNamedLikeTheSummaryIsRefusedUnread() throws {
        let directory = try TemporaryDirectory()
        let output = OutputDirectory(path: directory.path)
        let path = "\(directory.path)/\(JobSummary.fileName)"
        // A FIFO: opening it for reading waited for a writer, forever.
        #expect(mkfifo(path, 0o600) == 0)
        let fifo = try #require(throws: InputError.self) { try JobSummary(readingFrom: output) }
        #expect(fifo.message.contains("is not a job's summary"), "\(fifo.message)")
        try FileManager.default.removeItem(atPath: path)
        // A sparse file of 1 GiB: it was read whole.
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 1 << 30) == 0)
        let huge = try #require(throws: InputError.self) { try JobSummary(readingFrom: output) }
        #expect(huge.message.contains("over 64 MiB"), "\(huge.message)")
        // A real summary still reads.
        let summary = JobSummary(
            job: "j", mapTasks: 1, reduceTasks: 1, mapAttempts: 1, reduceAttempts: 1, failedAttempts: 0, lostAttempts: 0, inputBytes: 1,
            inputRecords: 1, mapOutputRecords: 1, intermediateRecords: 1, intermediateBytes: 1, spills: 0, outputRecords: 1, outputBytes: 1,
            skippedRecords: 0, counters: [:], seconds: 1)
        try JSONEncoder().encode(summary).write(to: URL(fileURLWithPath: path))
        #expect(try JobSummary(readingFrom: output).job == "j")
    }
}
