#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Merges sorted intermediate files into one sorted stream (a binary heap over the readers' current keys).
///
/// Equal keys come out in the order of the readers given, and within a reader in file order, so the merge is
/// stable and deterministic.
final class RecordMerger {
    private let readers: [IntermediateFileReader]
    /// A reader in the heap, with its current key and that key's first eight bytes big-endian (zero-padded): most
    /// comparisons end at the prefixes, in the heap's own memory, without a load through the reader.
    private struct Entry {
        var prefix: UInt64
        var key: UnsafeRawBufferPointer
        var reader: Int
    }
    /// The heap: `heapCount` entries at the front of storage for one per reader, allocated once.
    private let heap: UnsafeMutablePointer<Entry>
    // The merge runs once per record; its state is only touched by the merge itself, so the dynamic exclusivity
    // checks class properties cost on every access are turned off.
    @exclusivity(unchecked) private var heapCount = 0
    @exclusivity(unchecked) private var pendingAdvance: Int? = nil

    /// The current record's key; valid until the next call to ``next()``.
    @exclusivity(unchecked) private(set) var key = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The current record's value; valid until the next call to ``next()``.
    @exclusivity(unchecked) private(set) var value = UnsafeRawBufferPointer(start: nil, count: 0)

    init(_ readers: [IntermediateFileReader]) throws(IntermediateFileError) {
        self.readers = readers
        heap = .allocate(capacity: max(readers.count, 1))
        for index in readers.indices where try readers[index].next() {
            (heap + heapCount).initialize(to: entry(index))
            heapCount += 1
            siftUp(heapCount - 1)
        }
    }

    deinit {
        heap.deinitialize(count: heapCount)
        heap.deallocate()
    }

    /// The file the current record was read from.
    var path: String { readers[pendingAdvance ?? 0].path }

    /// Moves to the next record in key order; `false` when every reader is exhausted.
    func next() throws(IntermediateFileError) -> Bool {
        if pendingAdvance != nil {
            pendingAdvance = nil
            if try readers[heap[0].reader].next() {
                heap[0] = entry(heap[0].reader)
                siftDown(0)
            } else {
                heapCount -= 1
                heap.swapAt(0, heapCount)
                (heap + heapCount).deinitialize(count: 1)
                if heapCount > 0 { siftDown(0) }
            }
        }
        guard heapCount > 0 else { return false }
        let top = readers[heap[0].reader]
        key = top.key
        value = top.value
        pendingAdvance = heap[0].reader
        return true
    }

    /// Reader `index`'s current key, as a heap entry.
    private func entry(_ index: Int) -> Entry {
        let key = readers[index].key
        return Entry(prefix: RecordBuffer.prefix(of: key), key: key, reader: index)
    }

    /// Whether entry `a` comes before entry `b`: by key, then by reader (so the merge is stable).
    private func precedes(_ a: Int, _ b: Int) -> Bool {
        let a = heap[a]
        let b = heap[b]
        if a.prefix != b.prefix { return a.prefix < b.prefix }
        let order = compareKeys(a.key, b.key)
        return order != 0 ? order < 0 : a.reader < b.reader
    }

    private func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(child, parent) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heapCount else { return }
            var smallest = left
            if left + 1 < heapCount, precedes(left + 1, left) { smallest = left + 1 }
            guard precedes(smallest, parent) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
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
