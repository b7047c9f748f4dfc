import ArgumentParser
import Foundation
import MapReduce
import MapReduceRuntime

/// Renders the status page of a finished (or failed, or still running) distributed job from the history its
/// coordinator left in the output directory, `_events.jsonl`: the job can be diagnosed without its coordinator.
struct ReportCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: CommandContext.commandName("report"),
            abstract: "Render a distributed job's status page from the history in its output directory.",
            discussion: """
                Reads OUTPUT/_events.jsonl and writes the same page the coordinator serves at / (or, with --json, what it \\
                serves at /v1/job) to standard output: report OUTPUT > report.html. Exit status: 0, or 64 if the history \\
                cannot be read.
                """)
    }

    @Argument(help: "The job's output directory.") var output: String
    @Flag(help: "Write the JSON of /v1/job instead of the HTML page.") var json = false

    func run() throws {
        let events: [JobEvent]
        do {
            let contents = try EventLog.read(output: OutputDirectory(path: output))
            if let skipped = contents.skippedDescription(of: "\(output)/\(EventLog.fileName)") {
                CommandContext.complain("report", "\(skipped); the report shows the rest")
            }
            events = contents.events
        } catch {
            throw ExitStatus.refuse("report", error)
        }
        let overview = JobOverview(JobHistory(events), now: events.last?.time ?? 0)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            FileHandle.standardOutput.write(try encoder.encode(overview) + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(StatusPage.render(overview).utf8))
        }
    }
}
