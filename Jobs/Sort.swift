public import MapReduce

/// Sorts lines, as the Sort Benchmark and Hadoop's TeraSort do, and writes each unchanged (with its `\r`, if it
/// ended in `\r\n`).
///
/// It is a total-order job: partitions are key ranges cut from a sample of the input, so `part-00000`,
/// `part-00001`, … concatenated in name order are exactly `LC_ALL=C sort` of the input. The key is the whole line
/// (the Sort Benchmark's 10-byte key, with ties broken by the rest of the line), so the shuffle itself puts every
/// line in its place and the reduce holds nothing: lines that share a prefix, or repeat, stream through it
/// however many there are.
public let sort = Job<[UInt8], [UInt8]>("sort", output: .bytes, totalOrder: true) { line, emit in
    emit(key: line.rawBytes, value: UnsafeRawBufferPointer(start: nil, count: 0))
} reduce: { line, copies, output in
    for _ in copies { try output.write(line) }
}
