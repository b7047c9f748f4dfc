/// The jobs a build knows, found by name: the coordinator sends a name, never code.
public struct JobCatalog: Sendable {
    private let jobs: [String: AnyJob]

    /// A catalog of `jobs`; names must be unique.
    public init(_ jobs: [AnyJob]) {
        var byName: [String: AnyJob] = [:]
        for job in jobs {
            precondition(byName[job.name] == nil, "two jobs are named '\(job.name)'")
            byName[job.name] = job
        }
        self.jobs = byName
    }

    /// The names of the jobs, sorted.
    public var names: [String] { jobs.keys.sorted() }

    /// The job called `name`.
    /// - Throws: ``JobError`` with code `unknownJob`, listing the known names.
    public func job(named name: String) throws(JobError) -> AnyJob {
        guard let job = jobs[name] else {
            throw JobError(.unknownJob, "unknown job '\(name)'; known jobs: \(names.joined(separator: ", "))")
        }
        return job
    }
}
