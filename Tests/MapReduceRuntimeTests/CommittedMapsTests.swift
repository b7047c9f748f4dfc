import Foundation
import MapReduce
import Testing

@testable import MapReduceRuntime

/// A reduce assignment names its inputs as ranges of committed map attempts: a few numbers whatever M is, from
/// which the worker derives exactly the paths the coordinator's plan gives.
@Suite struct CommittedMapsTests {
    @Test func mapsRoundTripThroughRangesThatGrowOnlyWithRerunsAndSkippedMaps() throws {
        var maps = (0..<100_000).map { CommittedMap(MapTaskID($0), AttemptID(UInt64(1000 + $0))) }
        #expect(CommittedMaps.ranges(of: maps) == [CommittedMaps(firstTask: 0, firstAttempt: AttemptID(1000), count: 100_000)])
        maps[77].attempt = AttemptID(500_000)  // map 77 ran again
        maps[99_999].attempt = AttemptID(500_001)
        var ranges = CommittedMaps.ranges(of: maps)
        #expect(ranges.count == 4)
        #expect(try CommittedMaps.maps(ranges) == maps)
        maps.remove(at: 50_000)  // map 50,000 holds nothing for the reduce
        ranges = CommittedMaps.ranges(of: maps)
        #expect(ranges.count == 5)
        #expect(try CommittedMaps.maps(ranges) == maps)
        #expect(try CommittedMaps.maps([]) == [])
    }

    /// Today a reduce assignment listed every map's path: 8 MB of JSON per assignment at 100,000 maps, over the
    /// 16 MiB a worker reads by 200,000.
    @Test func aReduceAssignmentStaysSmallAtAHundredThousandMapsAndGivesThePlansPaths() throws {
        let plan = JobPlan(
            job: "word-count", mapTasks: Array(repeating: [], count: 100_000), configuration: .init(reducers: 1_000), directory: "/shared/jobs/j",
            output: "/out")
        let maps = (0..<100_000).map { CommittedMap(MapTaskID($0), AttemptID(UInt64(7 + $0))) }
        let assignment = ReduceAssignment(plan, ReduceTaskID(3), AttemptID(200_000), maps: maps)
        #expect(try JSONEncoder().encode(assignment).count < 2_000)
        let context = try assignment.context(cancellation: TaskCancellation(), progress: TaskProgress())
        #expect(context.inputs == plan.reduceTaskContext(ReduceTaskID(3), AttemptID(200_000), maps: maps).inputs)
        #expect(context.outputPath == plan.reduceOutputFile(ReduceTaskID(3), AttemptID(200_000)))
    }

    @Test(arguments: [
        [CommittedMaps(firstTask: -1, firstAttempt: AttemptID(1), count: 1)],  // before map 0
        [CommittedMaps(firstTask: 3, firstAttempt: AttemptID(1), count: 1), CommittedMaps(firstTask: 0, firstAttempt: AttemptID(9), count: 1)],  // out of order
        [CommittedMaps(firstTask: 0, firstAttempt: AttemptID(1), count: 0)],  // empty
        [CommittedMaps(firstTask: 0, firstAttempt: AttemptID(UInt64.max - 1), count: 5)],  // attempt numbers overflow
        [CommittedMaps(firstTask: 0, firstAttempt: AttemptID(1), count: 10_000_001)],  // too many
        [CommittedMaps(firstTask: 9_999_999, firstAttempt: AttemptID(1), count: 2)],  // past the last map there may be
        [CommittedMaps(firstTask: Int.max, firstAttempt: AttemptID(1), count: 1)],
        [CommittedMaps(firstTask: 0, firstAttempt: AttemptID(1), count: 2), CommittedMaps(firstTask: 1, firstAttempt: AttemptID(9), count: 1)],
    ])
    func malformedRangesAreRefused(ranges: [CommittedMaps]) {
        #expect(throws: SchedulerError.self) { try CommittedMaps.maps(ranges) }
    }
}
