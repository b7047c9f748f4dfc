/// The shuffle's stable hash of an encoded key: the same value in every process and on every machine, so a key
/// always goes to the same partition (`hash mod R`). Never `hashValue`, which Swift seeds per process.
///
/// Keys of at most 16 bytes (most words) are hashed from their two little-endian, zero-padded 64-bit halves with
/// a 128-bit multiply mix (as in wyhash), which is several times cheaper than a general hash; longer keys use
/// xxHash64 (seed 0). Both are fixed by the tests' vectors.
public enum StableHash {
    @usableFromInline static let secret0: UInt64 = 0xA076_1D64_78BD_642F
    @usableFromInline static let secret1: UInt64 = 0xE703_7ED1_A0B4_28DB
    @usableFromInline static let secret2: UInt64 = 0x8EBC_6AF0_9C88_C6E3

    /// The hash of `key`.
    @inlinable
    public static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        guard key.count <= 16 else { return XXHash64.hash(key) }
        var head: UInt64 = 0
        var tail: UInt64 = 0
        if key.count > 0 { withUnsafeMutableBytes(of: &head) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: key.prefix(8))) } }
        if key.count > 8 { withUnsafeMutableBytes(of: &tail) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: key[8...])) } }
        return hash(head: head, tail: tail, count: key.count)
    }

    /// The hash of `bytes`.
    @inlinable
    public static func hash(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { hash($0) } }

    /// The hash of a key of `count` ≤ 16 bytes whose bytes, zero-padded, are `head` (0..<8) and `tail` (8..<16),
    /// read little-endian.
    @inlinable @inline(__always)
    public static func hash(head: UInt64, tail: UInt64, count: Int) -> UInt64 {
        let mixed = mix(head ^ secret0, tail ^ secret1 ^ UInt64(count))
        return mix(mixed ^ secret2, UInt64(count) ^ secret0)
    }

    @inlinable @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}
