/// A catalog entry: a job's name, the parameters it takes, and how to build it from them.
///
/// Most jobs take no parameters (`JobDefinition(wordCount)`). A parameterized job is built from `--param NAME=VALUE`
/// values when a runner starts, in every process, so it can check them once (a `grep` compiles its pattern):
///
/// ```swift
/// JobDefinition("grep", parameters: ["pattern": "the regular expression lines must match"]) { parameters in
///     AnyJob(makeGrep(pattern: try parameters.require("pattern")))
/// }
/// ```
public struct JobDefinition: Sendable {
    /// The job's name.
    public let name: String
    /// The parameters the job takes, with what each means.
    public let parameters: [String: String]
    private let make: @Sendable (JobParameters) throws -> AnyJob

    /// A job that takes no parameters.
    public init(_ job: AnyJob) {
        name = job.name
        parameters = [:]
        make = { _ in job }
    }

    /// A job that takes no parameters.
    ///
    /// Inlinable, so the job's task functions are built where its types are known: its map and reduce tasks
    /// (collecting, sorting, merging, decoding values) run specialized for them, not through generic witnesses.
    @inlinable
    public init<Key, Value>(_ job: Job<Key, Value>) { self.init(AnyJob(job)) }

    /// A job built from parameters.
    /// - Parameters:
    ///   - name: the catalog name; the built job must have the same.
    ///   - parameters: each parameter's name and meaning.
    ///   - make: builds the job; throws a one-line error for a missing or bad parameter.
    public init(_ name: String, parameters: [String: String], make: @escaping @Sendable (JobParameters) throws -> AnyJob) {
        self.name = name
        self.parameters = parameters
        self.make = make
    }

    /// The job built from `values`.
    /// - Throws: ``JobError`` for a parameter the job does not take, or whatever the job's builder throws.
    public func job(parameters values: [String: String]) throws -> AnyJob {
        if let unknown = values.keys.sorted().first(where: { parameters[$0] == nil }) {
            let known = parameters.isEmpty ? "it takes none" : "it takes \(parameters.keys.sorted().joined(separator: ", "))"
            throw JobError(.badConfiguration, "job '\(name)' has no parameter '\(unknown)'; \(known)")
        }
        let job = try make(JobParameters(job: name, values: values))
        precondition(job.name == name, "the definition '\(name)' built a job named '\(job.name)'")
        return job
    }
}

/// The `--param NAME=VALUE` values a job is built from.
public struct JobParameters: Sendable {
    /// The job's name, for messages.
    public let job: String
    /// The values by name.
    public let values: [String: String]

    /// The value of `name`.
    /// - Throws: ``JobError`` saying how to pass it, if it was not given.
    public func require(_ name: String) throws(JobError) -> String {
        guard let value = values[name] else { throw JobError(.badConfiguration, "job '\(job)' needs --param \(name)=VALUE") }
        return value
    }
}
