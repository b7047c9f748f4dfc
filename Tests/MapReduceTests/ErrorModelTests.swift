import Foundation
import MapReduce
import MapReduceTesting
import Testing

/// Every error of the framework has one shape: a code, a message that says what to do, and the cause.
@Suite struct ErrorModelTests {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "boom" }
    }

    @Test func aMapFunctionsErrorIsKeptAsTheCause() throws {
        let job = Job<String, Int>("throwing") { line, _ in
            if line.string == "bad" { throw Boom() }
        } reduce: { _, values in
            values.reduce(0, +)
        }
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.txt", "good\nbad\n")
        let error = try #require(throws: JobError.self) { try SequentialRunner().run(job, inputs: [input], output: directory.appending("out")) }
        #expect(error.code == .mapFailed)
        #expect(error.cause is Boom)
        #expect(error.message.hasPrefix("map of job 'throwing' failed on line 2 (byte 5) of '\(input)': boom"))
        #expect(error.detailedDescription.hasSuffix("[map-failed]\n  caused by: boom"))
    }

    @Test func everyDomainSharesTheShape() throws {
        let errors: [any MapReduceError] = [
            JobError(.badConfiguration, "reducers must be from 1 to 10000 (got 0)"),
            InputError(.notFound, path: "/x", "input '/x' does not exist"),
            IntermediateFileError(.truncated, path: "/m", "ends early"),
            FileIOError(path: "/f", operation: "open", systemError: ENOENT),
            RecordFormatError("not JSON"),
        ]
        #expect(errors.map(\.code) == [.badConfiguration, .notFound, .truncated, .io, .malformedRecord])
        #expect(errors.map(\.code.kind) == [.invalid, .notFound, .failure, .failure, .failure])
        #expect(
            errors.map(\.description) == [
                "reducers must be from 1 to 10000 (got 0)", "input '/x' does not exist", "intermediate file '/m' ends early",
                "cannot open '/f': No such file or directory", "not JSON",
            ])
    }

    @Test func codesCompareByName() {
        #expect(ErrorCode.unknownJob == .unknownJob)
        #expect(ErrorCode.unknownJob != .unknownWorker)
        #expect(Set([ErrorCode.io, .io, .journal]).count == 2)
        #expect(ErrorCode.alreadyRunning.description == "already-running")
    }
}
