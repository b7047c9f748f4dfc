@testable import MapReduce
import MapReduceTesting
import Testing

/// The buffer's sort, with and without its counting passes, gives the order of a stable sort by partition and key.
@Suite struct RecordBufferTests {
    /// Keys of 0 to 12 bytes from three letters and 0x00 (many share their first two bytes, many are equal), in up
    /// to `partitions` partitions; each value is the record's insertion number.
    func records(_ count: Int, partitions: Int, seed: UInt64) -> [(key: [UInt8], partition: Int, value: [UInt8])] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { index in
            let key = (0..<Int(random.next() % 13)).map { _ in [0x00, 0x61, 0x62, 0xFF][Int(random.next() % 4)] as UInt8 }
            return (key, Int(random.next() % UInt64(partitions)), Array(String(index).utf8))
        }
    }

    func sorted(_ records: [(key: [UInt8], partition: Int, value: [UInt8])]) -> [[UInt8]] {
        var buffer = RecordBuffer()
        for record in records { record.key.withUnsafeBytes { buffer.append(key: $0, value: record.value, partition: record.partition) } }
        buffer.sort()
        return buffer.records.map { record in
            buffer.arena.bytes.withUnsafeBytes { Array($0[record.valueOffset..<(record.valueOffset + Int(record.valueLength))]) }
        }
    }

    @Test(arguments: [(10, 1), (1_000, 3), (1_025, 1), (20_000, 1), (20_000, 7), (5_000, 300), (70_000, 2)])
    func sortsAsAStableSortByPartitionThenKey(count: Int, partitions: Int) {
        let records = records(count, partitions: partitions, seed: UInt64(count * 31 + partitions))
        let expected = records.enumerated().sorted { a, b in
            if a.element.partition != b.element.partition { return a.element.partition < b.element.partition }
            if a.element.key != b.element.key { return a.element.key.lexicographicallyPrecedes(b.element.key) }
            return a.offset < b.offset
        }.map(\.element.value)
        #expect(sorted(records) == expected)
    }

    @Test func groupsByAboutTheLogarithmOfTheRecordCountUpToTwoBytes() {
        #expect(RecordBuffer.groupingBits(forRecords: 1) == 1)
        #expect(RecordBuffer.groupingBits(forRecords: 1_025) == 10)
        #expect(RecordBuffer.groupingBits(forRecords: 4_096) == 12)
        #expect(RecordBuffer.groupingBits(forRecords: 65_536) == 16)
        #expect(RecordBuffer.groupingBits(forRecords: 10_000_000) == 16)
    }
}
