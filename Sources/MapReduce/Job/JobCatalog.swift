/// The jobs a build knows, found by name: the coordinator sends a name and parameters, never code.
public struct JobCatalog: Sendable {
    private let definitions: [String: JobDefinition]

    /// A catalog of `definitions`; names must be unique.
    public init(_ definitions: [JobDefinition]) {
        var byName: [String: JobDefinition] = [:]
        for definition in definitions {
            precondition(byName[definition.name] == nil, "two jobs are named '\(definition.name)'")
            byName[definition.name] = definition
        }
        self.definitions = byName
    }

    /// A catalog of jobs that take no parameters.
    public init(_ jobs: [AnyJob]) { self.init(jobs.map { JobDefinition($0) }) }

    /// The names of the jobs, sorted.
    public var names: [String] { definitions.keys.sorted() }

    /// The definition called `name`.
    /// - Throws: ``JobError`` with code `unknownJob`, listing the known names.
    public func definition(named name: String) throws(JobError) -> JobDefinition {
        guard let definition = definitions[name] else {
            throw JobError(.unknownJob, "unknown job '\(name)'; known jobs: \(names.joined(separator: ", "))")
        }
        return definition
    }

    /// The job called `name`, built from `parameters`.
    /// - Throws: ``JobError`` for an unknown job or parameter, or what the job's builder throws.
    public func job(named name: String, parameters: [String: String] = [:]) throws -> AnyJob {
        try definition(named: name).job(parameters: parameters)
    }
}
