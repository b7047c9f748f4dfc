#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Named counts a job keeps while it runs: `Counters.increment("malformed-rows")` from inside a map, combiner or
/// reduce function.
///
/// Each task attempt counts separately; a job's totals add up committed attempts only, so a retried or backed-up
/// task is never counted twice. They appear in every run's ``JobSummary`` (`_summary.json`) and in a
/// distributed run's final report.
public enum Counters {
    /// Adds `amount` to the counter `name` of the task running on this thread. Outside a task it does nothing.
    public static func increment(_ name: String, by amount: Int64 = 1) {
        guard let raw = pthread_getspecific(key) else { return }
        Unmanaged<CounterSet>.fromOpaque(raw).takeUnretainedValue().values[name, default: 0] += amount
    }

    /// Runs `body` with a fresh set of counters for this thread and returns them with its result.
    @usableFromInline
    static func collecting<T>(_ body: () throws -> T) rethrows -> (T, [String: Int64]) {
        let set = CounterSet()
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(set).toOpaque())
        defer { pthread_setspecific(key, previous) }
        let result = try body()
        return (result, set.values)
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}

/// One task attempt's counters.
final class CounterSet {
    var values: [String: Int64] = [:]
}
