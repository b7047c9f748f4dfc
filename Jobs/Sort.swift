public import MapReduce

/// Sorts lines, as the Sort Benchmark and Hadoop's TeraSort do: each line is keyed by its first 10 bytes and
/// written unchanged (with its `\r`, if it ended in `\r\n`).
///
/// It is a total-order job: partitions are key ranges cut from a sample of the input, so `part-00000`,
/// `part-00001`, … concatenated in name order are exactly `LC_ALL=C sort` of the input (lines that share a key
/// are ordered by their whole bytes).
public let sort = Job<[UInt8], [UInt8]>("sort", output: .bytes, totalOrder: true) { line, emit in
    let raw = line.rawBytes
    emit(key: UnsafeRawBufferPointer(rebasing: raw.prefix(sortKeyLength)), value: raw)
} reduce: { _, lines, output in
    var lines = Array(lines)
    if lines.count > 1 { lines.sort { $0.lexicographicallyPrecedes($1) } }
    for line in lines { try output.write(line) }
}

/// The bytes of a line that make its sort key: the Sort Benchmark's 10.
public let sortKeyLength = 10
