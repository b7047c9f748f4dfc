/// The jobs a build knows, found by name: the coordinator sends a name and parameters, never code.
public struct JobCatalog: Sendable {
    private let byName: [String: JobDefinition]

    /// A catalog of `definitions`; names must be unique.
    public init(_ definitions: [JobDefinition]) {
        var byName: [String: JobDefinition] = [:]
        for definition in definitions {
            precondition(byName[definition.name] == nil, "two jobs are named '\(definition.name)'")
            byName[definition.name] = definition
        }
        self.byName = byName
    }

    /// A catalog of jobs that take no parameters.
    public init(_ jobs: [AnyJob]) { self.init(jobs.map { JobDefinition($0) }) }

    /// Every job's definition, in name order.
    public var definitions: [JobDefinition] { byName.keys.sorted().compactMap { byName[$0] } }

    /// A catalog of this catalog's jobs and `other`'s; names must still be unique.
    public func merging(_ other: JobCatalog) -> JobCatalog { JobCatalog(definitions + other.definitions) }

    /// The names of the jobs, sorted.
    public var names: [String] { byName.keys.sorted() }

    /// The definition called `name`.
    /// - Throws: ``JobError`` with code `unknownJob`, listing the known names.
    public func definition(named name: String) throws(JobError) -> JobDefinition {
        guard let definition = byName[name] else {
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
