import ArgumentParser
import MapReduce

/// Lists the program's jobs and the parameters each takes.
struct JobsCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: CommandContext.commandName("jobs"), abstract: "List the jobs this program can run, with their parameters.",
            discussion: "One job per line; each parameter it takes follows on its own line, indented: --param NAME=VALUE, and what it means.")
    }

    func run() {
        print(CommandContext.catalog.listing, terminator: "")
    }
}

extension JobCatalog {
    /// Each job's name on a line, followed by its parameters (indented, with their meanings).
    var listing: String {
        definitions.map { definition in
            "\(definition.name)\n" + definition.parameters.sorted { $0.key < $1.key }.map { "  --param \($0.key)=VALUE  \($0.value)\n" }.joined()
        }.joined()
    }
}
