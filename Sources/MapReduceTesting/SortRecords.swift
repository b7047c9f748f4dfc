import Foundation

/// Sort Benchmark records in the ASCII layout of `gensort -a` (and of `../shared/bench/gen_records.py`), from our
/// own seeded generator: 100 bytes each — a 10-byte key of printable ASCII, two spaces, the record number as 32
/// uppercase hex digits, two spaces, 52 bytes of filler (13 hex digits, each written 4 times), `\r\n`.
public enum SortRecords {
    /// The size of one record.
    public static let recordSize = 100

    /// Appends record number `number` to `buffer`, drawing its key and filler from `random`.
    public static func append(number: UInt64, to buffer: inout [UInt8], using random: inout SeededRandom) {
        let hex = Array("0123456789ABCDEF".utf8)
        for _ in 0..<10 { buffer.append(UInt8(0x20 + random.next() % 95)) }
        buffer.append(contentsOf: [0x20, 0x20])
        buffer.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 16))
        for shift in stride(from: 60, through: 0, by: -4) { buffer.append(hex[Int((number >> UInt64(shift)) & 15)]) }
        buffer.append(contentsOf: [0x20, 0x20])
        for _ in 0..<13 { buffer.append(contentsOf: repeatElement(hex[Int(random.next() & 15)], count: 4)) }
        buffer.append(contentsOf: [0x0D, 0x0A])
    }

    /// Writes `records` records in `files` files named `part-00000.dat` … into `directory` (created if needed).
    /// - Returns: the files' paths.
    @discardableResult
    public static func write(to directory: String, files: Int, records: Int, seed: UInt64) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var paths: [String] = []
        for file in 0..<files {
            var random = SeededRandom(seed: seed &+ UInt64(file))
            let path = "\(directory)/part-\(String(format: "%05d", file)).dat"
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let range = (file * records / files)..<((file + 1) * records / files)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            for number in range {
                append(number: UInt64(number), to: &buffer, using: &random)
                if buffer.count >= (1 << 20) - recordSize {
                    try handle.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try handle.write(contentsOf: buffer)
            paths.append(path)
        }
        return paths
    }
}
