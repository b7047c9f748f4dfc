import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Zeroed memory for combining tables' slots, recycled within the process.
///
/// Blocks are 64-byte aligned, so a slot of 32 bytes never straddles a cache line; blocks of 2 MiB or more are
/// mapped 2 MiB-aligned and advised into transparent huge pages: a table is probed at random, and with 4 KiB
/// pages nearly every probe of a table of tens of MiB would also miss the TLB.
///
/// A table hands its blocks back when it grows, drains or ends. Up to ``recycledBytesLimit`` bytes of them are
/// kept for the next table of the same size (in the same task, or the next task a worker runs), which so starts
/// from memory the process already holds rather than fresh pages the kernel must fault in; it is zeroed when
/// taken again, so a block never taken (the last task's) or freed past the limit costs no zeroing.
@usableFromInline
enum SlotMemory {
    /// The most bytes of blocks kept for reuse; blocks handed back beyond it are freed.
    static let recycledBytesLimit = 256 << 20
    /// Blocks smaller than this are not kept: allocating and zeroing them costs little.
    static let smallestRecycled = 64 << 10
    static let hugePage = 2 << 20

    /// Blocks kept for reuse, by size, as addresses.
    private struct Recycled {
        var blocks: [Int: [UInt]] = [:]
        var bytes = 0
    }
    private static let recycled = Mutex(Recycled())

    /// A zeroed block of `bytes` bytes (a positive multiple of 64), to give back with ``recycle(_:bytes:)``.
    @usableFromInline
    static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes >= smallestRecycled,
            let address = recycled.withLock({ kept -> UInt? in
                guard let address = kept.blocks[bytes]?.popLast() else { return nil }
                kept.bytes -= bytes
                return address
            })
        {
            let block = UnsafeMutableRawPointer(bitPattern: address)!
            memset(block, 0, bytes)
            return block
        }
        if bytes >= hugePage { return mapHugePages(bytes: bytes) }
        var raw: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else { fatalError("out of memory allocating \(bytes) bytes for a combining table") }
        memset(raw, 0, bytes)
        return raw
    }

    /// Takes back a block from ``allocate(bytes:)`` whose slots hold no initialized values any more.
    @usableFromInline
    static func recycle(_ block: UnsafeMutableRawPointer, bytes: Int) {
        if bytes >= smallestRecycled {
            let kept = recycled.withLock { kept -> Bool in
                guard kept.bytes + bytes <= recycledBytesLimit else { return false }
                kept.blocks[bytes, default: []].append(UInt(bitPattern: block))
                kept.bytes += bytes
                return true
            }
            if kept { return }
        }
        if bytes >= hugePage { munmap(block, bytes) } else { free(block) }
    }

    /// Fresh (so zeroed) anonymous memory, 2 MiB-aligned: the mapping is made one huge page larger and trimmed.
    private static func mapHugePages(bytes: Int) -> UnsafeMutableRawPointer {
        let pages = (bytes + 4095) & ~4095
        let mapped = pages + hugePage
        guard let raw = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
            fatalError("out of memory mapping \(bytes) bytes for a combining table")
        }
        let start = (Int(bitPattern: raw) + hugePage - 1) & ~(hugePage - 1)
        let lead = start - Int(bitPattern: raw)
        if lead > 0 { munmap(raw, lead) }
        let trail = mapped - lead - pages
        if trail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: start + pages), trail) }
        let block = UnsafeMutableRawPointer(bitPattern: start)!
        #if os(Linux)
        _ = madvise(block, bytes, MADV_HUGEPAGE)
        #endif
        return block
    }
}
