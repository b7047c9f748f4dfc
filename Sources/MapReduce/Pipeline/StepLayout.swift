/// Where each step of a job works and publishes its output, under the job's directory.
///
/// A job of one step works in the job's directory itself and writes the job's output. In a job of several, step
/// `i` works in `<job directory>/step-<i>` and, unless it is the last, publishes its intermediate files (with its
/// `_summary.json` and, last, `_SUCCESS`) in `<job directory>/output-<i>`, which the next step reads. A step's
/// `_SUCCESS` is what says it is done: a restarted coordinator resumes at the first step without one.
public struct StepLayout: Sendable, Equatable {
    /// The job's directory: `<shared>/jobs/<id>` for a distributed run, `<output>/_temporary/shuffle` for a local one.
    public var jobDirectory: String
    /// How many steps the job has.
    public var steps: Int

    /// Creates the layout of a job of `steps` steps in `jobDirectory`.
    public init(jobDirectory: String, steps: Int) {
        precondition(steps >= 1, "a job has at least one step")
        self.jobDirectory = jobDirectory
        self.steps = steps
    }

    /// Where step `step` works: its plan, journal and every attempt's files.
    public func directory(ofStep step: Int) -> String { steps == 1 ? jobDirectory : "\(jobDirectory)/step-\(step)" }

    /// Where step `step` publishes its output: the job's output for the last step, else its intermediate files.
    public func output(ofStep step: Int, jobOutput: String) -> String { step == steps - 1 ? jobOutput : "\(jobDirectory)/output-\(step)" }

    /// The job's directory that holds `directory`, a step's (`…/step-<i>`).
    static func jobDirectory(ofStepDirectory directory: String) -> String {
        guard let slash = directory.lastIndex(of: "/") else { return directory }
        return String(directory[..<slash])
    }
}
