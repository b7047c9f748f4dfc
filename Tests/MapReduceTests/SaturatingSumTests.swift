import MapReduce
import Testing

/// Totals over many attempts stop at the ends of `Int64` instead of trapping or wrapping.
@Suite struct SaturatingSumTests {
    @Test func sumsStopAtTheLargestAndSmallestValue() {
        #expect([Int64.max, 1, 5].saturatingSum() == .max)
        #expect([Int64.min, -1].saturatingSum() == .min)
        #expect([3, 4, -2].saturatingSum() == 5)
        #expect(Int64.max.saturatingAdd(-1) == .max - 1)
    }

    @Test func countersAddByName() {
        var totals: [String: Int64] = ["keys": .max - 1, "lines": 2]
        totals.add(["keys": 5, "lines": 3, "words": 7])
        #expect(totals == ["keys": .max, "lines": 5, "words": 7])
    }
}
