public import ArgumentParser

/// One `--param NAME=VALUE` on the command line: a value the job is built from (a grep's pattern).
public struct JobParameter: ExpressibleByArgument, Sendable {
    /// The parameter's name.
    public let name: String
    /// Its value, everything after the first `=`.
    public let value: String

    public init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        name = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }

    /// The parameters as a dictionary; a later repeat of a name wins.
    public static func values(_ parameters: [JobParameter]) -> [String: String] {
        Dictionary(parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }
}
