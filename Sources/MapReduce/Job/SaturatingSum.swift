/// Totals that stop at the largest (or smallest) `Int64` instead of overflowing: a job's counters and byte counts are
/// summed over many attempts, and a total must never trap or wrap.
extension Int64 {
    /// `self + other`, or `.max` / `.min` where that would overflow.
    public func saturatingAdd(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other < 0 ? .min : .max) : sum
    }
}

extension Sequence where Element == Int64 {
    /// The sum of the elements, stopping at `.max` / `.min` instead of overflowing.
    public func saturatingSum() -> Int64 { reduce(0) { $0.saturatingAdd($1) } }
}

extension Dictionary where Key == String, Value == Int64 {
    /// Adds `other`'s counts to these, each total stopping at `.max` / `.min` instead of overflowing.
    public mutating func add(_ other: [String: Int64]) {
        for (name, count) in other { self[name] = self[name, default: 0].saturatingAdd(count) }
    }
}
