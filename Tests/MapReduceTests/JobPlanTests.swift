import Foundation
import Testing

@testable import MapReduce

/// `job.json` lists each input file once and each map task as numbers: a plan of 100,000 files stays a few
/// megabytes to write and to hash, and reads back exactly.
@Suite struct JobPlanTests {
    func plan(files: Int, splitsPerFile: Int) -> JobPlan {
        let inputs = (0..<files).map {
            InputFile(path: "/data/input-\($0).txt", fingerprint: FileFingerprint(size: 1000, modified: Int64($0), inode: UInt64($0)))
        }
        let splits = inputs.flatMap { file in (0..<splitsPerFile).map { InputSplit(file: file, start: Int64($0 * 100), end: Int64($0 * 100 + 100)) } }
        var plan = JobPlan(
            job: "word-count", parameters: ["k": "v"], mapTasks: stride(from: 0, to: splits.count, by: 3).map { Array(splits[$0..<min($0 + 3, splits.count)]) },
            configuration: .init(reducers: 7), directory: "/shared/jobs/j", output: "/out")
        plan.identity = "abc"
        return plan
    }

    @Test func aPlanReadsBackExactlyWithEveryFileListedOnce() throws {
        let plan = plan(files: 10, splitsPerFile: 4)
        let json = try JSONEncoder().encode(plan)
        #expect(try JSONDecoder().decode(JobPlan.self, from: json) == plan)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect((object["inputFiles"] as? [Any])?.count == 10)
        #expect((object["mapTasks"] as? [[Int]])?.first == [0, 0, 100, 0, 100, 200, 0, 200, 300])
    }

    @Test func aHundredThousandFilesMakeAFewMegabytes() throws {
        #expect(try JSONEncoder().encode(plan(files: 100_000, splitsPerFile: 1)).count < 16_000_000)
    }

    @Test(arguments: [
        #"[[0, 0]]"#,  // not three numbers per split
        #"[[1, 0, 10]]"#,  // a file the plan does not list
        #"[[0, 10, 5]]"#,  // ends before it starts
        #"[[0, -1, 5]]"#,
    ])
    func aDamagedMapTaskIsRefused(mapTasks: String) throws {
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(plan(files: 1, splitsPerFile: 1))) as? [String: Any])
        object["mapTasks"] = try JSONSerialization.jsonObject(with: Data(mapTasks.utf8))
        let json = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JobPlan.self, from: json) }
    }
}
