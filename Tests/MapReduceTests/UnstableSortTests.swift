import MapReduceTesting
import Testing

@testable import MapReduce

/// The shuffle's in-place sort against the standard library's, on inputs that exercise each of its parts: short
/// ranges (insertion sort), long ones (quicksort), runs of equal and already ordered elements, and an order whose
/// pivots are all bad (the heapsort fallback).
@Suite struct UnstableSortTests {
    func sorted(_ values: [(UInt8, Int)], by less: ((UInt8, Int), (UInt8, Int)) -> Bool) -> [(UInt8, Int)] {
        var values = values
        values.withUnsafeMutableBufferPointer { $0.sortUnstably(by: less) }
        return values
    }

    @Test(arguments: [0, 1, 2, 3, 16, 17, 18, 100, 1000, 50_000])
    func givesTheStandardLibrarysOrder(count: Int) {
        var random = SeededRandom(seed: UInt64(count))
        // The first field has few values, so many elements tie on it; the second (their position) breaks ties.
        let shapes: [[(UInt8, Int)]] = [
            (0..<count).map { (UInt8(random.next() % 7), $0) },
            (0..<count).map { (UInt8($0 * 7 / max(count, 1)), $0) },
            (0..<count).map { (UInt8(6 - $0 * 7 / max(count, 1)), $0) },
            (0..<count).map { (0, $0) },
        ]
        let byBoth: ((UInt8, Int), (UInt8, Int)) -> Bool = { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        for values in shapes {
            let expected = values.sorted(by: byBoth)
            #expect(sorted(values, by: byBoth).map(\.1) == expected.map(\.1))
            // On the first field alone the order of ties is unspecified, but the fields must come out ordered and
            // every element kept.
            let byFirst = sorted(values, by: { $0.0 < $1.0 })
            #expect(byFirst.map(\.0) == expected.map(\.0))
            #expect(byFirst.map(\.1).sorted() == values.map(\.1))
        }
    }

    @Test(arguments: [0, 1, 3])
    func theHeapsortFallbackGivesTheSameOrder(depthLimit: Int) {
        // Quicksort levels past the limit go to heapsort, which bad pivots (a median-of-three killer) would reach.
        var random = SeededRandom(seed: 7)
        let values = (0..<5_000).map { (UInt8(random.next() % 5), $0) }
        let byBoth: ((UInt8, Int), (UInt8, Int)) -> Bool = { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var sorted = values
        sorted.withUnsafeMutableBufferPointer { $0.sortUnstably(depthLimit: depthLimit, by: byBoth) }
        #expect(sorted.map(\.1) == values.sorted(by: byBoth).map(\.1))
    }
}
