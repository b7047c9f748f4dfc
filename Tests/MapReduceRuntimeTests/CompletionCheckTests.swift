import Foundation
import Jobs
import MapReduce
import MapReduceTesting
import Testing

@testable import MapReduceRuntime

/// A map's completion names the partitions its output holds records in, so that reducers skip the rest unopened:
/// the coordinator refuses a set that cannot be one of the job's, and reads the file's index to check the set
/// before it commits (a wrong one would silently drop records).
@Suite struct CompletionCheckTests {
    /// A word-count map over eight words, run for real, with 16 reducers: its output holds records in at most
    /// eight partitions.
    func mapOutput(_ directory: TemporaryDirectory) throws -> (JobPlan, MapTaskOutput) {
        let input = try directory.write("in.txt", "alpha bravo charlie delta echo foxtrot golf hotel\n")
        let jobDirectory = directory.appending("shared/jobs/j")
        try FileManager.default.createDirectory(atPath: jobDirectory, withIntermediateDirectories: true)
        let plan = try JobPlanner.plan(
            AnyJob(wordCount), inputs: [input], configuration: .init(reducers: 16), directory: jobDirectory, output: directory.appending("out"))
        let output = try AnyJob(wordCount).steps[0].runMapTask(plan.mapTaskContext(MapTaskID(0), AttemptID(1)))
        return (plan, output)
    }

    func completion(_ output: MapTaskOutput) -> CompletionRequest {
        CompletionRequest(worker: WorkerID("w"), attempt: AttemptID(1), map: output)
    }

    @Test func aMapOutputsPartitionsWithRecordsAreCheckedAgainstItsIndex() throws {
        let directory = try TemporaryDirectory()
        let (plan, output) = try mapOutput(directory)
        let partitions = try #require(output.file.partitionsWithRecords)
        #expect((1...8).contains(partitions.count))
        let check = CompletionCheck(plan: plan)
        try check.confirm(try check.validate(completion(output), task: .map(MapTaskID(0))), reportedBy: WorkerID("w"))

        var lying = output
        let empty = try #require((0..<16).first { !partitions.contains($0) })
        lying.file.partitionsWithRecords?.insert(empty)
        let result = try check.validate(completion(lying), task: .map(MapTaskID(0)))
        let error = try #require(throws: IntermediateFileError.self) { try check.confirm(result, reportedBy: WorkerID("w")) }
        #expect(error.message.contains("holds records in \(partitions.count) partitions, but its writer reported \(partitions.count + 1)"), "\(error)")
    }

    @Test func aSetThatCannotBeTheJobsIsRefusedBeforeAnythingIsRead() throws {
        let directory = try TemporaryDirectory()
        let (plan, output) = try mapOutput(directory)
        let check = CompletionCheck(plan: plan)
        for (partitions, problem) in [
            (PartitionSet(partitions: 17), "not one of 16 partitions"),
            (PartitionSet(partitions: 16), "names 0 partitions with records in a file of"),
        ] {
            var wrong = output
            wrong.file.partitionsWithRecords = partitions
            let error = try #require(throws: SchedulerError.self) { try check.validate(completion(wrong), task: .map(MapTaskID(0))) }
            #expect(error.code == .invalidReport && error.message.contains(problem), "\(error)")
        }
    }

    /// A reduce reads the maps that hold records for it, and every map that did not say (an older worker).
    @Test func aReduceReadsOnlyTheMapsThatHoldRecordsForIt() throws {
        let directory = try TemporaryDirectory()
        let (plan, output) = try mapOutput(directory)
        let partitions = try #require(output.file.partitionsWithRecords)
        let threeMaps = JobPlan(
            job: plan.job, mapTasks: Array(repeating: plan.mapTasks[0], count: 3), configuration: plan.configuration, directory: plan.directory,
            output: plan.output)
        var accounting = JobAccounting(threeMaps)
        var unsaid = output
        unsaid.file.partitionsWithRecords = nil
        accounting.committed(MapTaskID(0), output)
        accounting.committed(MapTaskID(1), unsaid)
        accounting.committed(MapTaskID(2), output)
        let attempts = [AttemptID(1), AttemptID(5), AttemptID(3)]
        for reduce in 0..<16 {
            let expected = partitions.contains(reduce) ? [0, 1, 2] : [1]
            #expect(accounting.inputs(of: ReduceTaskID(reduce), committedBy: attempts).map(\.task.rawValue) == expected, "reduce \(reduce)")
        }
    }
}
