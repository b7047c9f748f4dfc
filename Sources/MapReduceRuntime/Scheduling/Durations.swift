/// How long a phase's committed attempts took, and their median: what a straggler is measured against.
///
/// Kept sorted lazily: a median asked for after one more duration re-sorts a run that is sorted but for its last
/// element, which the standard library's sort merges in linear time.
struct Durations: Sendable {
    private var values: [Duration] = []
    private var sorted = true

    /// Adds one committed attempt's duration.
    mutating func add(_ duration: Duration) {
        if let last = values.last, duration < last { sorted = false }
        values.append(duration)
    }

    /// The median (the upper one of an even count), or `nil` before any attempt committed.
    mutating func median() -> Duration? {
        guard !values.isEmpty else { return nil }
        if !sorted {
            values.sort()
            sorted = true
        }
        return values[values.count / 2]
    }
}
