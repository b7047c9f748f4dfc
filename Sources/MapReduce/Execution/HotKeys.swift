/// A key of a reduce task with the most values: where a job's time goes when one key holds much of the data.
public struct HotKey: Codable, Hashable, Sendable {
    /// The key, as text (its `description`), cut to at most ``HotKey/maximumKeyLength`` bytes of whole characters.
    public var key: String
    /// Its values in the reduce task's input (after any combiner).
    public var records: Int64

    /// Creates an entry.
    public init(key: String, records: Int64) {
        self.key = key
        self.records = records
    }

    /// The longest key text reported, in UTF-8 bytes.
    public static let maximumKeyLength = 200

    /// `text` cut to at most ``maximumKeyLength`` UTF-8 bytes at a Unicode scalar boundary, so that a cut never
    /// leaves half a character (which would be replaced by U+FFFD and grow past the limit).
    public static func cut(_ text: String) -> String {
        guard text.utf8.count > maximumKeyLength else { return text }
        var length = 0
        var end = text.unicodeScalars.startIndex
        for index in text.unicodeScalars.indices {
            let scalarLength = UTF8.width(text.unicodeScalars[index])
            guard length + scalarLength <= maximumKeyLength else { break }
            length += scalarLength
            end = text.unicodeScalars.index(after: index)
        }
        return String(text.unicodeScalars[..<end])
    }
}

/// The ``capacity`` keys with the most values seen by a reduce task: one comparison per key, and the key's text
/// made only for a key that enters the list.
@usableFromInline
struct HotKeys {
    /// How many keys a task reports.
    @usableFromInline static let capacity = 10
    /// The keys, most values first (ties: the earlier key first).
    @usableFromInline private(set) var entries: [HotKey] = []

    @usableFromInline init() {}

    /// Counts a key with `records` values; `key` makes its text if it enters the list.
    @inlinable
    mutating func observe(_ records: Int64, key: () -> String) {
        guard entries.count < Self.capacity || records > entries[entries.count - 1].records else { return }
        let text = HotKey.cut(key())
        let index = entries.firstIndex { $0.records < records } ?? entries.count
        entries.insert(HotKey(key: text, records: records), at: index)
        if entries.count > Self.capacity { entries.removeLast() }
    }
}
