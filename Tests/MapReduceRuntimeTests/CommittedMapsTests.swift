import Foundation
import MapReduce
import MapReduceTesting
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

    /// The ranges travel as one string of packed numbers: at 10,000 tiny maps and 1,000 reducers they are a map or
    /// two long, and objects of three keys each were much of the coordinator's CPU per reduce task.
    @Test func aReduceAssignmentCarriesItsRangesAsOneStringAndTheyComeBackAsTheyWere() throws {
        let plan = JobPlan(
            job: "word-count", mapTasks: Array(repeating: [], count: 10_000), configuration: .init(reducers: 1_000), directory: "/shared/jobs/j",
            output: "/out")
        // Every eighth map holds records for the partition, a few ran again: about 1,250 ranges of one map.
        let maps = stride(from: 5, to: 10_000, by: 8).map { CommittedMap(MapTaskID($0), AttemptID(UInt64($0 % 97 == 0 ? 90_000 + $0 : 1 + $0))) }
        let assignment = ReduceAssignment(plan, ReduceTaskID(3), AttemptID(200_000), maps: maps)
        let json = try JSONEncoder().encode(assignment)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["maps"] is String)
        #expect(json.count < 6_000, "\(json.count) bytes")
        let decoded = try JSONDecoder().decode(ReduceAssignment.self, from: json)
        #expect(decoded.maps == assignment.maps)
        #expect(try CommittedMaps.maps(decoded.maps) == maps)
    }

    /// Whatever the ranges, even ones ``CommittedMaps/maps(_:)`` refuses, they come back exactly: judging them is
    /// left to that one place.
    @Test func anyRangesSurviveTheWire() throws {
        var random = SeededRandom(seed: 20)
        let extremes = [Int.min, Int.min + 1, -1, 0, 1, 127, 128, Int.max - 1, Int.max]
        for _ in 0..<500 {
            let ranges = (0..<Int.random(in: 0...6, using: &random)).map { _ in
                CommittedMaps(
                    firstTask: Bool.random(using: &random) ? extremes.randomElement(using: &random)! : Int.random(in: 0...20_000, using: &random),
                    firstAttempt: AttemptID(
                        Bool.random(using: &random) ? UInt64.random(in: 0...UInt64.max, using: &random) : UInt64.random(in: 0...300, using: &random)),
                    count: Bool.random(using: &random) ? extremes.randomElement(using: &random)! : Int.random(in: 1...50, using: &random))
            }
            #expect(CommittedMaps.ranges(wireText: CommittedMaps.wireText(of: ranges)) == ranges)
        }
    }

    /// What earlier builds sent, an array of range objects, is still read.
    @Test func rangeObjectsFromAnEarlierBuildAreStillRead() throws {
        let json = Data(
            #"""
            {"job":"word-count","task":3,"directory":"/shared/jobs/j","outputPath":"/shared/jobs/j/reduce/3-attempt-9.part",
             "scratchDirectory":"/shared/jobs/j/reduce/3-attempt-9.work","settings":{"partitions":4,"memoryBudget":1048576,"compressionLevel":1,"blockSize":65536,"syncFiles":false},
             "maps":[{"firstTask":0,"firstAttempt":1,"count":2},{"firstTask":5,"firstAttempt":40,"count":1}]}
            """#.utf8)
        let assignment = try JSONDecoder().decode(ReduceAssignment.self, from: json)
        #expect(
            assignment.maps == [
                CommittedMaps(firstTask: 0, firstAttempt: AttemptID(1), count: 2), CommittedMaps(firstTask: 5, firstAttempt: AttemptID(40), count: 1),
            ])
    }

    @Test(arguments: [
        "not base64!",
        Data([0x02, 0x02]).base64EncodedString(),  // two numbers of three
        Data([0x02, 0x02, 0x80]).base64EncodedString(),  // a number cut short
        Data([0x02, 0x02] + Array(repeating: 0xFF, count: 9) + [0x02]).base64EncodedString(),  // past 64 bits in its tenth byte
        Data([0x02, 0x02] + Array(repeating: 0x80, count: 10) + [0x00]).base64EncodedString(),  // eleven bytes
    ])
    func malformedWireTextIsRefused(text: String) throws {
        #expect(CommittedMaps.ranges(wireText: text) == nil)
        let json = Data(
            #"{"job":"j","task":0,"directory":"/d","outputPath":"/d/o","scratchDirectory":"/d/s","settings":{"partitions":1,"memoryBudget":1048576,"compressionLevel":1,"blockSize":65536,"syncFiles":false},"maps":"\#(text)"}"#
                .utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ReduceAssignment.self, from: json) }
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
