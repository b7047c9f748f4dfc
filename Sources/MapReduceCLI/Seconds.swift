import ArgumentParser

/// A flag given in seconds (`--lease-timeout 2.5`), checked before anything starts: `inf`, `nan` or `1e30` would
/// trap when made into a `Duration`, and a value under a millisecond would become no time at all.
enum Seconds {
    /// The longest time any flag accepts: a week.
    static let longest = 604_800.0

    /// Checks that `value` is a number of seconds from 0.001 (or 0, when `zeroAllowed`) to `longest`.
    /// - Throws: a `ValidationError` naming `flag` and its range.
    static func check(_ value: Double, _ flag: String, zeroAllowed: Bool = false, longest: Double = longest) throws {
        let shortest = zeroAllowed ? 0 : 0.001
        guard value.isFinite, value >= shortest, value <= longest else {
            throw ValidationError("\(flag) must be a number of seconds from \(zeroAllowed ? "0" : "0.001") to \(Int(longest)) (got \(value))")
        }
    }

    /// `seconds`, checked by ``check(_:_:zeroAllowed:longest:)``, as a `Duration` of whole milliseconds.
    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
}
