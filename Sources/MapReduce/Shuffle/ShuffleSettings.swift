import Foundation
import Zstd

/// How map outputs are buffered, written and merged.
public struct ShuffleSettings: Hashable, Codable, Sendable {
    /// The number of reduce partitions (R).
    public var partitions: Int
    /// The bytes a task may buffer before it spills a sorted run (map side), and spends on merge buffers (both
    /// sides). Default ``defaultMemoryBudget``.
    public var memoryBudget: Int
    /// The zstd level for intermediate files (``compressionLevels``): 1 to 19, -1 to -7 for zstd's faster levels
    /// (less CPU, larger files), or 0 to store their blocks uncompressed. Default 1.
    public var compressionLevel: Int32
    /// The uncompressed size of one block of an intermediate file. Default 64 KiB.
    public var blockSize: Int
    /// Whether output files (a reduce's, and a step's output for the next step) are fsynced before they are
    /// published. Default `true`. Map outputs, spills and merge passes never are: they can be computed again, and
    /// every reader verifies them.
    public var syncFiles: Bool
    /// For a total-order job, the R - 1 sorted key encodings that cut the key space into partitions: a key goes to
    /// the number of boundaries at or below it. `nil`: partitions by hash (or the job's partitioner).
    public var rangeBoundaries: [[UInt8]]?

    /// Creates settings; every parameter has the documented default.
    public init(
        partitions: Int = 1, memoryBudget: Int = ShuffleSettings.defaultMemoryBudget, compressionLevel: Int32 = 1, blockSize: Int = 64 << 10,
        syncFiles: Bool = true,
        rangeBoundaries: [[UInt8]]? = nil
    ) {
        self.rangeBoundaries = rangeBoundaries
        self.partitions = partitions
        self.memoryBudget = memoryBudget
        self.compressionLevel = compressionLevel
        self.blockSize = blockSize
        self.syncFiles = syncFiles
    }

    /// The default memory budget, 160 MiB: a default split (64 MiB) of records of 40 bytes or more, with the 48
    /// bytes of index the buffer keeps per record, is sorted and written without a spill. At 64 MiB, a split of
    /// 100-byte records spilled twice and was merged again: every byte compressed twice and read back once more
    /// (a 1 GiB sort took 9.1 s against 7.1 s; word count, which buffers little, is unchanged).
    public static let defaultMemoryBudget = 160 << 20

    /// The compression levels accepted: zstd's fast levels -7 to -1 (its `--fast=1` to `--fast=7`), 0 for stored
    /// blocks, and its levels 1 to 19.
    public static let compressionLevels: ClosedRange<Int32> = -7...19

    /// What a refused ``compressionLevel`` is told.
    static func compressionLevelProblem(_ level: Int32) -> String {
        "compression level must be from -7 to 19: 1 to 19 for zstd's levels, -1 to -7 for its faster ones, 0 to store intermediate files uncompressed (got \(level))"
    }

    /// The compressor of intermediate blocks at ``compressionLevel``; `nil` at level 0, which stores them as they
    /// are (codec 0 of the format): less CPU for more bytes, a trade for a local disk rather than a shared one.
    func makeCompressor() -> ZstdCompressor? { compressionLevel == 0 ? nil : ZstdCompressor(level: compressionLevel) }

    /// How many runs larger than a block one merge may read at once within the memory budget (at least 2): each is
    /// read a block at a time from its open file. Smaller runs are held whole and cost only their bytes.
    public var mergeFanIn: Int { max(2, memoryBudget / (4 * max(blockSize, 1 << 16))) }
}

/// On the wire, each range boundary travels as one base64 string, not an array of numbers: a sort's 255
/// boundaries in every assignment cost the coordinator milliseconds per task to encode as numbers. Arrays of
/// numbers (what earlier builds sent) are still read.
extension ShuffleSettings {
    private enum CodingKeys: String, CodingKey {
        case partitions, memoryBudget, compressionLevel, blockSize, syncFiles, rangeBoundaries
    }

    /// Reads settings; `rangeBoundaries` as base64 strings or as arrays of bytes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        partitions = try container.decode(Int.self, forKey: .partitions)
        memoryBudget = try container.decode(Int.self, forKey: .memoryBudget)
        compressionLevel = try container.decode(Int32.self, forKey: .compressionLevel)
        guard Self.compressionLevels.contains(compressionLevel) else {
            throw DecodingError.dataCorruptedError(forKey: .compressionLevel, in: container, debugDescription: Self.compressionLevelProblem(compressionLevel))
        }
        blockSize = try container.decode(Int.self, forKey: .blockSize)
        syncFiles = try container.decode(Bool.self, forKey: .syncFiles)
        if let encoded = try? container.decodeIfPresent([String].self, forKey: .rangeBoundaries) {
            rangeBoundaries = try encoded.map { text in
                guard let bytes = Data(base64Encoded: text) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .rangeBoundaries, in: container, debugDescription: "a range boundary is not base64: '\(text.prefix(40))'")
                }
                return [UInt8](bytes)
            }
        } else {
            rangeBoundaries = try container.decodeIfPresent([[UInt8]].self, forKey: .rangeBoundaries)
        }
    }

    /// Writes settings, each range boundary as a base64 string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(partitions, forKey: .partitions)
        try container.encode(memoryBudget, forKey: .memoryBudget)
        try container.encode(compressionLevel, forKey: .compressionLevel)
        try container.encode(blockSize, forKey: .blockSize)
        try container.encode(syncFiles, forKey: .syncFiles)
        try container.encodeIfPresent(rangeBoundaries?.map { Data($0).base64EncodedString() }, forKey: .rangeBoundaries)
    }
}
