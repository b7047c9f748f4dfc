import Testing

@testable import MapReduce

/// The map tasks a worker runs are alike: a combining table starts as large as the last one grew (within half its
/// memory budget) instead of doubling from 64 slots again in every task, and a drained table keeps its slots, all
/// empty again, unless they take more than half the budget.
@Suite struct CombiningTableSizeTests {
    typealias Table = CombiningTable<Int>
    static let stride = MemoryLayout<Table.Slot>.stride

    /// Adds the keys `k<first>` … as short keys, each with the value 1.
    /// - Returns: how many entries were new.
    @discardableResult
    func add(_ keys: Range<Int>, to table: inout Table) -> Int {
        var new = 0
        for number in keys {
            let key = Array("k\(number)".utf8)
            var head: UInt64 = 0
            for (index, byte) in key.enumerated() { head |= UInt64(byte) << (8 * UInt64(index)) }
            let hash = StableHash.hash(head: head, tail: 0, count: key.count)
            if table.add(length: key.count, longKey: nil, head: head, tail: 0, hash: hash, value: 1, combine: +, partition: { _ in 0 }) { new += 1 }
        }
        return new
    }

    @Test func aTableStartsAsLargeAsTheLastOneGrewWithinHalfTheBudget() {
        let hint = TableSizeHint()
        var first = Table(memoryBudget: 1 << 30, sizeHint: hint)
        #expect(first.capacity == Table.initialCapacity, "the first table of a process starts small")
        add(0..<5_000, to: &first)
        #expect(first.capacity == 8_192)
        var drained = RecordBuffer()
        first.drain(into: &drained)
        #expect(drained.records.count == 5_000)
        #expect(first.capacity == 8_192 && first.count == 0, "a drained table keeps its slots")
        #expect(add(0..<5_000, to: &first) == 5_000, "every slot is empty again: each key is new")
        #expect(add(0..<5_000, to: &first) == 0)
        first.deallocate()

        var next = Table(memoryBudget: 1 << 30, sizeHint: hint)
        #expect(next.capacity == 8_192, "the next table starts where the last one ended")
        next.deallocate()
        var tight = Table(memoryBudget: 64 << 10, sizeHint: hint)
        #expect(tight.capacity * Self.stride == 32 << 10, "but within half its budget")
        tight.deallocate()
    }

    @Test func aDrainedTableOverHalfItsBudgetStartsAgainAtHalf() {
        var table = Table(memoryBudget: 64 << 10, sizeHint: TableSizeHint())
        var number = 0
        while table.memoryUsage <= 64 << 10 {
            add(number..<(number + 1), to: &table)
            number += 1
        }
        var drained = RecordBuffer()
        table.drain(into: &drained)
        #expect(drained.records.count == number)
        #expect(table.capacity * Self.stride == 32 << 10, "a table left over the budget would spill at every new key")
        #expect(add(0..<number, to: &table) == number)
        table.deallocate()
    }
}
