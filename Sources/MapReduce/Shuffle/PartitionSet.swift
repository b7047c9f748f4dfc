import Foundation

/// The partitions of an intermediate file that hold records: one bit per partition, so that a reducer skips a
/// map output with nothing for it without opening the file (Spark's map status does the same with a bitmap of
/// empty blocks).
///
/// At the paper's shape most runs are empty: 100,000 tiny map tasks over 1,000 reducers leave each map's records
/// in a few dozen partitions, and opening every map's file from every reducer (M × R opens) would cost hours here.
///
/// Encoded as a string: the bitmap's bytes (partition `p` is bit `p % 8` of byte `p / 8`) in base64, 1,668
/// characters at the most partitions a job may have.
public struct PartitionSet: Hashable, Sendable, Codable {
    /// The bitmap, ``byteCount(partitions:)`` bytes for the file's partitions.
    public private(set) var bits: [UInt8]

    /// The empty set of a file of `partitions` partitions.
    public init(partitions: Int) { bits = [UInt8](repeating: 0, count: Self.byteCount(partitions: partitions)) }

    /// The bytes a set of `partitions` partitions takes.
    public static func byteCount(partitions: Int) -> Int { (partitions + 7) / 8 }

    /// Adds `partition`.
    public mutating func insert(_ partition: Int) { bits[partition / 8] |= 1 << UInt8(partition % 8) }

    /// Whether `partition` holds records.
    public func contains(_ partition: Int) -> Bool {
        partition >= 0 && partition / 8 < bits.count && bits[partition / 8] & (1 << UInt8(partition % 8)) != 0
    }

    /// How many partitions hold records.
    public var count: Int { bits.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Whether the set is one of a file of `partitions` partitions: as many bytes as that takes, and no bit past
    /// the last partition.
    public func fits(partitions: Int) -> Bool {
        guard partitions >= 0, bits.count == Self.byteCount(partitions: partitions) else { return false }
        return partitions % 8 == 0 || bits.last.map { $0 >> UInt8(partitions % 8) == 0 } ?? true
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a partition set must be base64"))
        }
        bits = [UInt8](data)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(bits).base64EncodedString())
    }
}
