#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CMapReduceSupport

/// Merges sorted intermediate files into one sorted stream, with a tournament (loser) tree over the readers'
/// current keys: each record costs log₂ k comparisons for k readers, half what a binary heap's sift-down takes, which
/// counts when a reduce merges the outputs of a thousand maps.
///
/// Equal keys come out in the order of the readers given, and within a reader in file order, so the merge is
/// stable and deterministic.
final class RecordMerger {
    private let readers: [IntermediateFileReader]
    /// The same readers, unretained (``readers`` keeps them alive): the merge touches one per record, and taking it
    /// from the array retained and released it each time.
    private let unretained: UnsafeMutablePointer<Unmanaged<IntermediateFileReader>>
    /// A reader's current key and that key's first eight bytes big-endian (zero-padded): most comparisons end at
    /// the prefixes, in the merger's own memory, without a load through the reader.
    private struct Entry {
        var prefix: UInt64
        var key: UnsafeRawBufferPointer
        var exhausted: Bool

        /// The entry of a reader with no record left.
        static var exhaustedReader: Entry { Entry(prefix: .max, key: UnsafeRawBufferPointer(start: nil, count: 0), exhausted: true) }
    }
    /// One entry per reader.
    private let entries: UnsafeMutablePointer<Entry>
    /// The tree over k readers: `tree[0]` is the winner (the reader whose key comes next), `tree[1..<k]` the loser
    /// of the match at each inner node. Node n's children are 2n and 2n + 1; reader i is leaf k + i.
    private let tree: UnsafeMutablePointer<Int>
    // The merge runs once per record; its state is only touched by the merge itself, so the dynamic exclusivity
    // checks class properties cost on every access are turned off.
    @exclusivity(unchecked) private var advancePending = false

    /// The current record's key; valid until the next call to ``next()``.
    @exclusivity(unchecked) private(set) var key = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The current record's value; valid until the next call to ``next()``.
    @exclusivity(unchecked) private(set) var value = UnsafeRawBufferPointer(start: nil, count: 0)

    init(_ readers: [IntermediateFileReader]) throws(IntermediateFileError) {
        self.readers = readers
        unretained = .allocate(capacity: readers.count)
        unretained.initialize(from: readers.map { Unmanaged.passUnretained($0) }, count: readers.count)
        let count = max(readers.count, 1)
        entries = .allocate(capacity: count)
        entries.initialize(repeating: .exhaustedReader, count: count)
        tree = .allocate(capacity: count)
        tree.initialize(repeating: 0, count: count)
        for index in readers.indices { try load(index) }
        // Play every match once, bottom up; `winners` holds each node's winner while the tree is built.
        var winners = [Int](repeating: 0, count: 2 * count)
        for index in 0..<count { winners[count + index] = index }
        var node = count - 1
        while node >= 1 {
            let (left, right) = (winners[2 * node], winners[2 * node + 1])
            let leftWins = precedes(left, right)
            winners[node] = leftWins ? left : right
            tree[node] = leftWins ? right : left
            node -= 1
        }
        tree[0] = count == 1 ? 0 : winners[1]
    }

    deinit {
        entries.deinitialize(count: max(readers.count, 1))
        entries.deallocate()
        tree.deallocate()
        unretained.deallocate()
    }

    /// The file the current record was read from.
    var path: String { readers.isEmpty ? "" : readers[tree[0]].path }

    /// Moves to the next record in key order; `false` when every reader is exhausted.
    func next() throws(IntermediateFileError) -> Bool {
        guard !readers.isEmpty else { return false }
        if advancePending {
            advancePending = false
            let advanced = tree[0]
            try load(advanced)
            replay(advanced)
        }
        let winner = tree[0]
        guard !entries[winner].exhausted else { return false }
        (key, value) = unretained[winner]._withUnsafeGuaranteedRef { ($0.key, $0.value) }
        advancePending = true
        return true
    }

    /// Moves reader `index` to its next record and notes its key, or marks it exhausted.
    private func load(_ index: Int) throws(IntermediateFileError) {
        var failure: IntermediateFileError?
        let key = unretained[index]._withUnsafeGuaranteedRef { reader -> UnsafeRawBufferPointer? in
            do throws(IntermediateFileError) {
                return try reader.next() ? reader.key : nil
            } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        guard let key else {
            entries[index] = .exhaustedReader
            return
        }
        entries[index] = Entry(prefix: RecordBuffer.prefix(of: key), key: key, exhausted: false)
    }

    /// Plays reader `index`'s new key up from its leaf: at each node the loser stays, the winner goes on.
    ///
    /// Which of two keys wins a match is as good as random, so a branch on it mispredicts about every other
    /// level: when the prefixes differ (nearly always) the winner is chosen with masks, and only equal prefixes
    /// branch to the full comparison.
    private func replay(_ index: Int) {
        let count = readers.count
        var candidate = index
        var candidatePrefix = entries[index].prefix
        var node = (count + index) / 2
        while node >= 1 {
            let other = tree[node]
            let otherPrefix = entries[other].prefix
            let otherWins = otherPrefix != candidatePrefix ? otherPrefix < candidatePrefix : precedes(other, candidate)
            // All ones if `other` wins, else zero; opaque, so that the compiler cannot turn the swap back into a
            // branch on the comparison.
            let mask = mr_opaque(0 &- (otherWins ? 1 : 0))
            let swapped = (other ^ candidate) & mask
            tree[node] = other ^ swapped
            candidate ^= swapped
            candidatePrefix ^= (otherPrefix ^ candidatePrefix) & UInt64(truncatingIfNeeded: mask)
            node /= 2
        }
        tree[0] = candidate
    }

    /// Whether reader `a`'s key comes before reader `b`'s: by key bytes, then by reader (so the merge is stable);
    /// an exhausted reader after every other.
    @inline(__always)
    private func precedes(_ a: Int, _ b: Int) -> Bool {
        let x = entries[a]
        let y = entries[b]
        if x.prefix != y.prefix { return x.prefix < y.prefix }
        if x.exhausted || y.exhausted { return x.exhausted == y.exhausted ? a < b : y.exhausted }
        let order = compareKeys(pastEqualPrefixes: x.key.baseAddress, count: x.key.count, y.key.baseAddress, count: y.key.count)
        return order != 0 ? order < 0 : a < b
    }
}

/// ``compareKeys(_:_:)`` for keys whose prefixes (first eight bytes, zero-padded) are equal: only bytes from the
/// ninth on can differ, and where one key has no ninth byte, it is the start of the other. Each key is given by its
/// first byte's address and its length.
@inline(__always)
func compareKeys(pastEqualPrefixes a: UnsafeRawPointer?, count aCount: Int, _ b: UnsafeRawPointer?, count bCount: Int) -> Int {
    let shortest = min(aCount, bCount)
    if shortest > 8 {
        let order = memcmp(a! + 8, b! + 8, shortest - 8)
        if order != 0 { return Int(order) }
    }
    return aCount - bCount
}

/// Byte-wise comparison of two keys, a prefix first: the order of the shuffle.
func compareKeys(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let shortest = min(a.count, b.count)
    if shortest > 0 {
        let order = memcmp(a.baseAddress!, b.baseAddress!, shortest)
        if order != 0 { return Int(order) }
    }
    return a.count - b.count
}
