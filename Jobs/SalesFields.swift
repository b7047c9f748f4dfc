/// Parsing and formatting of the sales example's fields, exact and independent of locale.
enum SalesFields {
    /// A non-negative decimal amount with at most two decimal places, like `12`, `12.5` or `12.50`, in cents.
    static func cents(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = digits(parts[0]), whole < 1_000_000_000 else { return nil }
        guard parts.count == 2 else { return whole * 100 }
        let fraction = parts[1]
        guard (1...2).contains(fraction.count), let value = digits(fraction) else { return nil }
        return whole * 100 + (fraction.count == 1 ? value * 10 : value)
    }

    /// An amount in cents as a decimal with two places: `1234` is `12.34`.
    static func amount(cents: Int) -> String {
        let fraction = cents % 100
        return "\(cents / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The day (`YYYY-MM-DD`) of an ISO 8601 UTC timestamp `YYYY-MM-DDTHH:MM:SSZ`.
    static func day(ofTimestamp text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A, bytes[19] == 0x5A
        else { return nil }
        func number(_ range: Range<Int>) -> Int? { digits(Substring(String(decoding: bytes[range], as: UTF8.self))) }
        guard let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13), let minute = number(14..<16),
            let second = number(17..<19), number(0..<4) != nil, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 60
        else { return nil }
        return String(text.prefix(10))
    }

    /// A run of ASCII digits as a number.
    private static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 12, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }
}
