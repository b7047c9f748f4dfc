#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed-size, initialized array for the combining table's slots. Large ones are 2 MiB-aligned and advised into
/// transparent huge pages: the table is probed at random, and with 4 KiB pages nearly every probe of a table of
/// tens of MiB would also miss the TLB.
@usableFromInline
final class SlotStorage<Element> {
    @usableFromInline let pointer: UnsafeMutablePointer<Element>
    @usableFromInline let count: Int

    @usableFromInline
    init(repeating element: Element, count: Int) {
        let bytes = max(count * MemoryLayout<Element>.stride, 1)
        let hugePage = 2 << 20
        var raw: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&raw, bytes >= hugePage ? hugePage : 64, bytes) == 0, let raw else {
            fatalError("out of memory allocating \(bytes) bytes for a combining table")
        }
        #if os(Linux)
        if bytes >= hugePage { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
        #endif
        pointer = raw.bindMemory(to: Element.self, capacity: count)
        pointer.initialize(repeating: element, count: count)
        self.count = count
    }

    deinit {
        pointer.deinitialize(count: count)
        free(pointer)
    }
}
