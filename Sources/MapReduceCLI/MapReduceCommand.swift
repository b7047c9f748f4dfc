public import ArgumentParser
import Foundation
public import MapReduce

/// The command line of a program that runs your jobs: one executable with a subcommand per role.
///
/// Build it from your own catalog in your own package, and the same binary is your coordinator, your workers and
/// your local runner:
///
/// ```swift
/// import MapReduce
/// import MapReduceCLI
///
/// @main struct MyJobs {
///     static func main() async { await MapReduceCommand.main(catalog: JobCatalog([JobDefinition(sessionize)])) }
/// }
/// ```
///
/// Then `my-jobs coordinator --job sessionize …`, `my-jobs worker --coordinator URL …`, `my-jobs local --job
/// sessionize …`, `my-jobs jobs`, and `my-jobs report OUTPUT > report.html` for a distributed job's status page. Every worker must be the same build as its coordinator: it is sent a job's
/// name and parameters, never its code.
public struct MapReduceCommand: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: CommandContext.programName,
            abstract: "Run MapReduce jobs: coordinate them across worker processes, work for a coordinator, or run one in this process.",
            subcommands: [CoordinatorCommand.self, WorkerCommand.self, LocalCommand.self, JobsCommand.self, ReportCommand.self])
    }

    /// Creates the command (the argument parser does).
    public init() {}

    /// One of the roles, run as a program of its own (`mr-coordinator` is ``coordinator`` over the built-in jobs).
    public enum Role: Sendable {
        /// Plans a job and hands its tasks to workers (``CoordinatorCommand``); `report OUTPUT` as the first
        /// arguments renders a job's report instead (``ReportCommand``), as an operator expects of the coordinator.
        case coordinator
        /// Runs tasks for a coordinator (``WorkerCommand``).
        case worker
        /// Runs a job in this process with the ``LocalRunner`` (``LocalCommand``).
        case local
        /// Lists the jobs (``JobsCommand``).
        case jobs
        /// Renders a finished job's status page from its history (``ReportCommand``).
        case report

        var command: any ParsableCommand.Type {
            switch self {
            case .coordinator: CoordinatorCommand.self
            case .worker: WorkerCommand.self
            case .local: LocalCommand.self
            case .jobs: JobsCommand.self
            case .report: ReportCommand.self
            }
        }
    }

    /// Parses this process's arguments and runs the subcommand they name over the jobs of `catalog`, then exits
    /// with its status. It bootstraps logging (to standard error) for the process: call it from `main`.
    /// - Parameter role: run only this role, with no subcommand word (as `mr-coordinator` does).
    public static func main(catalog: JobCatalog, role: Role? = nil) async -> Never {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var root = role?.command ?? MapReduceCommand.self
        var standalone = role != nil
        if role == .coordinator, arguments.first == ReportCommand.configuration.commandName {
            (root, standalone) = (ReportCommand.self, false)
            arguments.removeFirst()
        }
        // Messages, help and exit statuses are written inside the context, so they name the command as it was called.
        await CommandContext.$catalog.withValue(catalog) {
            await CommandContext.$standalone.withValue(standalone) {
                let command: any ParsableCommand
                do {
                    command = try root.parseAsRoot(arguments)
                } catch {
                    refuseArguments(error, root: root, arguments: arguments)
                }
                do {
                    var command = command
                    if var command = command as? any AsyncParsableCommand {
                        try await command.run()
                    } else {
                        try command.run()
                    }
                    root.exit()
                } catch {
                    root.exit(withError: error)
                }
            }
        }
        fatalError("unreachable: the command exits")
    }

    /// Exits for an error of parsing or checking `arguments`: help and version as the parser writes them, anything
    /// else as one line naming the command, the flag and what is wrong (the parser's usage block would bury it).
    private static func refuseArguments(_ error: any Error, root: any ParsableCommand.Type, arguments: [String]) -> Never {
        let status = root.exitCode(for: error)
        guard status != .success else { root.exit(withError: error) }
        // The program's own command names no subcommand: the first argument does, if it is one.
        let subcommand =
            root == MapReduceCommand.self
            ? arguments.first.flatMap { name in root.configuration.subcommands.first { $0.configuration.commandName == name }.map { _ in name } }
            : root.configuration.commandName
        let name = subcommand.map { CommandContext.displayName($0) } ?? CommandContext.programName
        FileHandle.standardError.write(Data("\(name): \(root.message(for: error)); see --help\n".utf8))
        root.exit(withError: status)
    }
}

/// What every subcommand of a ``MapReduceCommand`` shares: the catalog it runs jobs from, and its name.
enum CommandContext {
    /// The jobs the program can run.
    @TaskLocal static var catalog = JobCatalog([JobDefinition]())
    /// Whether the role runs as a program of its own (`mr-coordinator`) rather than a subcommand (`my-jobs coordinator`).
    @TaskLocal static var standalone = false

    /// The program's file name.
    static var programName: String { CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "mapreduce" }

    /// The name of the subcommand `name` on the command line: the program's name if it runs on its own.
    static func commandName(_ name: String) -> String { standalone ? programName : name }

    /// How the subcommand `name` calls itself in messages: `mr-coordinator`, or `my-jobs coordinator`.
    static func displayName(_ name: String) -> String { standalone ? programName : "\(programName) \(name)" }

    /// Writes `message` to standard error as one line naming the command.
    static func complain(_ command: String, _ message: String) {
        FileHandle.standardError.write(Data("\(displayName(command)): \(message)\n".utf8))
    }
}
