import Foundation
import Jobs
import Logging
import MapReduce
import MapReduceTesting

@testable import MapReduceRuntime

/// A coordinator of a word count over three one-line files (three map tasks, two reducers) in `directory`, with
/// `configuration`: what the tests that drive a coordinator or its core by hand start from.
func threeMapWordCountCoordinator(in directory: TemporaryDirectory, _ configuration: Coordinator.Configuration) throws -> Coordinator {
    let splits = try (0..<3).map { index in
        let input = try directory.write("in-\(index).txt", "alpha bravo \(index)\n")
        return [InputSplit(file: InputFile(path: input), start: 0, end: 14)]
    }
    let plan = JobPlan(
        job: "word-count", mapTasks: splits, configuration: .init(reducers: 2), directory: directory.appending("shared/jobs/test"),
        output: directory.appending("out"))
    try FileManager.default.createDirectory(atPath: plan.directory, withIntermediateDirectories: true)
    return try Coordinator(
        plan: plan, job: AnyJob(wordCount), journal: Journal(path: directory.appending("journal")), configuration: configuration,
        logger: Logger(label: "test"))
}
