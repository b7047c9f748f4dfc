import Foundation
import Jobs
import Logging
import MapReduce
import MapReduceRuntime
import MapReduceTesting
import Testing

/// A restarted coordinator replays only a journal written for its own plan, in this format, with every entry in
/// bounds; anything else is refused with a message naming the line, before anything runs.
@Suite struct JournalReplayTests {
    func plan(_ directory: TemporaryDirectory, reducers: Int = 1) throws -> JobPlan {
        let input = try directory.write("in.txt", "a b\n")
        return JobPlan(
            job: "word-count", mapTasks: [[InputSplit(file: InputFile(path: input), start: 0, end: 4)]], configuration: .init(reducers: reducers),
            directory: directory.appending("shared/jobs/test"), output: directory.appending("out"))
    }

    func start(_ plan: JobPlan, _ journal: String, firstEpoch: Int = 0) throws -> Coordinator {
        try Coordinator(
            plan: plan, job: AnyJob(wordCount), journal: Journal(path: journal),
            configuration: .init(leaseTimeout: .seconds(10), maxAttempts: 4, pollTimeout: .milliseconds(50), firstEpoch: firstEpoch),
            logger: Logger(label: "test"))
    }

    /// Attempt numbers never repeat an earlier run's, even one whose job directory was removed by hand (issue 22: they
    /// started at 1 again, and a late worker of the earlier run could write the very file a new attempt writes). A
    /// fresh journal starts at the epoch the configuration draws (at random, by default), and a restart continues
    /// from the last epoch its journal records.
    @Test func attemptNumbersStartAtTheDrawnEpochAndARestartContinuesFromTheJournal() async throws {
        let directory = try TemporaryDirectory()
        let plan = try plan(directory)
        let path = directory.appending("journal")
        func firstAttempt(_ coordinator: Coordinator) async throws -> UInt64? {
            let registration = try await coordinator.register(name: "w")
            return await coordinator.nextTask(for: registration.worker).attempt?.rawValue
        }
        #expect(try await firstAttempt(start(plan, path, firstEpoch: 1234)) == 1234 << 32 + 1)
        #expect(try await firstAttempt(start(plan, path, firstEpoch: 5)) == 1235 << 32 + 1)
        let epochs = (0..<64).map { _ in Coordinator.Configuration(leaseTimeout: .seconds(1), maxAttempts: 1, pollTimeout: .zero).firstEpoch }
        #expect(epochs.allSatisfy { (0..<2048).contains($0) } && Set(epochs).count > 32, "drawn at random: \(epochs)")
    }

    /// A journal whose starts are out of order or past the last epoch is refused.
    @Test(arguments: [[4096], [7, 7], [9, 3], [4095]])
    func startsOutOfOrderOrRangeAreRefused(epochs: [Int]) throws {
        let directory = try TemporaryDirectory()
        let plan = try plan(directory)
        let lines = epochs.map { #"{"event":"started","epoch":\#($0),"version":\#(Journal.formatVersion),"plan":"\#(plan.hash)"}"# }
        let path = try directory.write("journal", lines.joined(separator: "\n") + "\n")
        let error = try #require(throws: JournalError.self) { try start(plan, path) }
        #expect(error.description.contains(epochs == [4095] ? "would start epoch 4096" : "line \(epochs.count)"), "\(error)")
    }

    @Test func aJournalReplaysAgainstItsOwnPlan() async throws {
        let directory = try TemporaryDirectory()
        let plan = try plan(directory)
        let path = directory.appending("journal")
        _ = try start(plan, path)
        let file = plan.mapOutputFile(MapTaskID(0), AttemptID(1))
        let output = try JSONDecoder().decode(
            MapTaskOutput.self,
            from: Data(
                #"{"file":{"path":"\#(file)","bytes":41,"records":0,"checksum":0},"inputBytes":4,"inputRecords":1,"emittedRecords":2,"spills":0}"#.utf8))
        try Journal(path: path).append(JournalEntry(event: .mapCommitted, task: 0, attempt: AttemptID(1), map: output))
        let restarted = try start(plan, path)
        #expect(await restarted.restored.maps == 1)
    }

    @Test(arguments: [
        (#"{"event":"started","epoch":0}"#, "journal format 1"),
        (#"{"event":"started","epoch":0,"version":3,"plan":"0"}"#, "belongs to another plan"),
        (#"{"event":"started","epoch":0,"version":2,"plan":"0"}"#, "journal format 2"),
        (#"{"event":"map-lost","task":0}"#, "comes before any 'started' entry"),
    ])
    func aJournalOfAnotherPlanOrFormatIsRefused(firstLine: String, problem: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("journal", firstLine + "\n")
        let error = try #require(throws: JournalError.self) { try start(plan(directory), path) }
        #expect(error.description.contains("line 1"), "\(error)")
        #expect(error.description.contains(problem), "\(error)")
        #expect(error.description.contains("to start the job over"), "\(error)")
    }

    @Test(arguments: [
        #"{"event":"map-lost","task":7}"#,
        #"{"event":"map-lost","task":-1}"#,
        #"{"event":"reduce-committed","task":3,"attempt":2,"reduce":{"path":"/x","records":0,"inputRecords":0,"bytes":0}}"#,
        #"{"event":"reduce-committed","task":0,"attempt":2}"#,
        #"{"event":"map-committed","task":0,"attempt":1,"map":{"file":{"path":"/etc/passwd","bytes":1,"records":0,"checksum":0},"inputBytes":0,"inputRecords":0,"emittedRecords":0,"spills":0}}"#,
        // Records in partition 1 of a job of one reducer.
        #"{"event":"map-committed","task":0,"attempt":1,"map":{"file":{"path":"MAP-0-FILE","bytes":1,"records":1,"checksum":0,"partitionsWithRecords":"Ag=="},"inputBytes":0,"inputRecords":0,"emittedRecords":0,"spills":0}}"#,
    ])
    func anEntryOutOfBoundsIsRefused(entry: String) throws {
        let directory = try TemporaryDirectory()
        let plan = try plan(directory)
        let path = directory.appending("journal")
        _ = try start(plan, path)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        let line = entry.replacingOccurrences(of: "MAP-0-FILE", with: plan.mapOutputFile(MapTaskID(0), AttemptID(1)))
        try handle.write(contentsOf: Data((line + "\n").utf8))
        try handle.close()
        let error = try #require(throws: JournalError.self) { try start(plan, path) }
        #expect(error.description.contains("line 2"), "\(error)")
    }
}
