public import ArgumentParser

/// A byte count on the command line: `65536`, `64KiB`, `64MiB`, `1GiB` (also `K`, `M`, `G`, `KB`, `MB`, `GB`,
/// all powers of 1024).
public struct ByteSize: ExpressibleByArgument, CustomStringConvertible, Sendable {
    /// The number of bytes.
    public let bytes: Int64

    /// Wraps a byte count.
    public init(bytes: Int64) { self.bytes = bytes }

    public init?(argument: String) {
        let units: [(String, Int64)] = [
            ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10),
            ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1),
        ]
        var number = Substring(argument)
        var multiplier: Int64 = 1
        if let (suffix, scale) = units.first(where: { argument.hasSuffix($0.0) }) {
            number = argument.dropLast(suffix.count)
            multiplier = scale
        }
        guard let value = Int64(number), value > 0, value <= Int64.max / multiplier else { return nil }
        bytes = value * multiplier
    }

    public var description: String { "\(bytes)" }
}
