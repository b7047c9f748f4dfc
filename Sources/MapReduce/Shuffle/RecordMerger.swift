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
    // The merge runs once per record; its state is only touched by the merge itself, so the dynamic exclusivity
    // checks class properties cost on every access are turned off.
    @exclusivity(unchecked) private var heap: [Int] = []
    @exclusivity(unchecked) private var pendingAdvance: Int? = nil
    /// Each reader's current key, and its first eight bytes big-endian (zero-padded): most comparisons end at the
    /// prefixes, without a call to `memcmp` or a load through the reader.
    @exclusivity(unchecked) private var keys: [UnsafeRawBufferPointer]
    @exclusivity(unchecked) private var prefixes: [UInt64]

    /// The current record's key; valid until the next call to ``next()``.
    @exclusivity(unchecked) private(set) var key = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The current record's value; valid until the next call to ``next()``.
    @exclusivity(unchecked) private(set) var value = UnsafeRawBufferPointer(start: nil, count: 0)

    init(_ readers: [IntermediateFileReader]) throws(IntermediateFileError) {
        self.readers = readers
        keys = Array(repeating: UnsafeRawBufferPointer(start: nil, count: 0), count: readers.count)
        prefixes = Array(repeating: 0, count: readers.count)
        for index in readers.indices where try readers[index].next() {
            load(index)
            heap.append(index)
            siftUp(heap.count - 1)
        }
    }

    /// The file the current record was read from.
    var path: String { readers[pendingAdvance ?? 0].path }

    /// Moves to the next record in key order; `false` when every reader is exhausted.
    func next() throws(IntermediateFileError) -> Bool {
        if let advanced = pendingAdvance {
            pendingAdvance = nil
            if try readers[advanced].next() {
                load(advanced)
                siftDown(0)
            } else {
                heap.swapAt(0, heap.count - 1)
                heap.removeLast()
                if !heap.isEmpty { siftDown(0) }
            }
        }
        guard let top = heap.first else { return false }
        key = readers[top].key
        value = readers[top].value
        pendingAdvance = top
        return true
    }

    /// Notes reader `index`'s current key.
    private func load(_ index: Int) {
        let key = readers[index].key
        keys[index] = key
        prefixes[index] = RecordBuffer.prefix(of: key)
    }

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        if prefixes[a] != prefixes[b] { return prefixes[a] < prefixes[b] }
        let order = compareKeys(keys[a], keys[b])
        return order != 0 ? order < 0 : a < b
    }

    private func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, precedes(heap[left + 1], heap[left]) { smallest = left + 1 }
            guard precedes(heap[smallest], heap[parent]) else { return }
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
