import Foundation
public import MapReduce

/// Everything fixed about a distributed job before it starts; written to `<job directory>/job.json`.
public struct JobPlan: Codable, Sendable, Equatable {
    /// The catalog job.
    public var job: String
    /// The job's `--param` values (absent: none).
    public var parameters: [String: String]?
    /// A total-order job's partition boundaries, sampled from the input when the job was planned.
    public var rangeBoundaries: [[UInt8]]?
    /// Each map task's input ranges.
    public var mapTasks: [[InputSplit]]
    /// Reducers, split size, memory budget, compression.
    public var configuration: JobConfiguration
    /// The job's directory inside the shared directory: `<shared>/jobs/<id>`.
    public var directory: String
    /// The output directory.
    public var output: String

    /// Creates a plan.
    public init(
        job: String, parameters: [String: String] = [:], mapTasks: [[InputSplit]], configuration: JobConfiguration, directory: String, output: String,
        rangeBoundaries: [[UInt8]]? = nil
    ) {
        self.job = job
        self.parameters = parameters.isEmpty ? nil : parameters
        self.rangeBoundaries = rangeBoundaries
        self.mapTasks = mapTasks
        self.configuration = configuration
        self.directory = directory
        self.output = output
    }

    /// The shuffle settings every task of the job uses.
    public var shuffle: ShuffleSettings {
        var settings = configuration.shuffle
        settings.rangeBoundaries = rangeBoundaries
        return settings
    }

    /// Where `attempt` of map task `task` writes its partition files.
    public func mapDirectory(_ task: MapTaskID, _ attempt: AttemptID) -> String {
        "\(directory)/map/\(task.rawValue)/attempt-\(attempt.rawValue)"
    }

    /// Where `attempt` of reduce task `task` writes before the coordinator publishes its output.
    public func reduceDirectory(_ task: ReduceTaskID, _ attempt: AttemptID) -> String {
        "\(directory)/reduce/\(task.rawValue)/attempt-\(attempt.rawValue)"
    }

    /// The plan in `<directory>/job.json`, or `nil` if there is none.
    public static func read(from directory: String) throws -> JobPlan? {
        guard let data = FileManager.default.contents(atPath: "\(directory)/job.json") else { return nil }
        return try JSONDecoder().decode(JobPlan.self, from: data)
    }

    /// Writes the plan to `<directory>/job.json` (atomically).
    public func write() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: "\(directory)/job.json"), options: .atomic)
    }
}
