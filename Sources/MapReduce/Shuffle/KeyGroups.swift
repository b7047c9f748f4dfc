/// Walks a merged record stream one key at a time, handing out that key's values one by one.
///
/// Values are never collected: a key with more values than memory holds streams through. For a job that sorts
/// values, each shuffle key is the key's encoding followed by a sort key's, and a group is every record whose
/// shuffle key starts with the group's key: record encodings are prefix-free, so no other key starts that way.
@usableFromInline
final class KeyGroups {
    private let merger: RecordMerger
    /// The length of the key at the front of a shuffle key, for a job that sorts values; `nil` when the shuffle
    /// key is the whole key.
    private let keyLength: ((UnsafeRawBufferPointer) throws(RecordDecodingError) -> Int)?
    /// Whether the merger sits on a record that belongs to the next group.
    // Touched once per record by the reduce loop alone: no dynamic exclusivity checks.
    @exclusivity(unchecked) private var lookahead = false
    @exclusivity(unchecked) private var exhausted = false
    @exclusivity(unchecked) private var firstValuePending = false
    @exclusivity(unchecked) private var inGroup = false
    /// The current group's key bytes (a copy: the merger's buffers move on).
    @usableFromInline @exclusivity(unchecked) private(set) var key: [UInt8] = []
    /// How many values of the current key were handed out (all of them after ``finishGroup()``).
    @usableFromInline @exclusivity(unchecked) private(set) var values: Int64 = 0

    /// Groups `merger`'s records by their whole shuffle key, or by the key `keyLength` finds at its front.
    init(_ merger: RecordMerger, keyLength: ((UnsafeRawBufferPointer) throws(RecordDecodingError) -> Int)? = nil) {
        self.merger = merger
        self.keyLength = keyLength
    }

    /// Moves to the next key, skipping any values of the current one that were not read.
    @usableFromInline
    func nextKey() throws(IntermediateFileError) -> Bool {
        while inGroup { _ = try nextValue() }
        if !lookahead {
            guard !exhausted, try merger.next() else {
                exhausted = true
                return false
            }
        }
        lookahead = false
        key.removeAll(keepingCapacity: true)
        if let keyLength {
            let length: Int
            do {
                length = try keyLength(merger.key)
            } catch {
                throw IntermediateFileError(.corrupt, path: merger.path, "holds a record whose key does not decode: \(error)", cause: error)
            }
            key.append(contentsOf: UnsafeRawBufferPointer(rebasing: merger.key[..<length]))
        } else {
            key.append(contentsOf: merger.key)
        }
        firstValuePending = true
        inGroup = true
        values = 0
        return true
    }

    /// Reads the values of the current key that were not read yet, so that ``values`` counts them all.
    @usableFromInline
    func finishGroup() throws(IntermediateFileError) {
        while inGroup { _ = try nextValue() }
    }

    /// The next value of the current key, valid until the next call; `nil` after the last one.
    @usableFromInline
    func nextValue() throws(IntermediateFileError) -> UnsafeRawBufferPointer? {
        guard inGroup else { return nil }
        if firstValuePending {
            firstValuePending = false
            values += 1
            return merger.value
        }
        guard try merger.next() else {
            exhausted = true
            inGroup = false
            return nil
        }
        let next = merger.key
        let sameKey = key.withUnsafeBytes { key in
            guard keyLength != nil else { return compareKeys(key, next) == 0 }
            return next.count >= key.count && compareKeys(key, UnsafeRawBufferPointer(rebasing: next[..<key.count])) == 0
        }
        guard sameKey else {
            lookahead = true
            inGroup = false
            return nil
        }
        values += 1
        return merger.value
    }
}
