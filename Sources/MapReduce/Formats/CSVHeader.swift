/// The field names of a CSV file, from its first record.
public struct CSVHeader: Sendable {
    /// The names, in order.
    public let names: [String]
    private let indices: [String: Int]

    /// Creates a header from the fields' names; if a name repeats, its first position counts.
    public init(_ names: [String]) {
        self.names = names
        var indices: [String: Int] = [:]
        for (index, name) in names.enumerated() where indices[name] == nil { indices[name] = index }
        self.indices = indices
    }

    /// The position of the field called `name`, if there is one.
    public func index(of name: String) -> Int? { indices[name] }
}
