import MapReduce
import Testing

@Suite struct StableHashTests {
    /// Partitions are `StableHash.hash(encoded key) % R`. These values must never change, or processes of two
    /// builds would send one key to two reducers. They were computed by an independent Python implementation of
    /// the definition in Docs/IntermediateFileFormat.md (with the reference `xxhash` package for long keys).
    static let vectors: [(String, UInt64)] = [
        ("", 0x6773_872E_A657_6A39),
        ("a", 0xF5D8_FFEC_DE19_3CF5),
        ("hello", 0x5FB4_9AE1_A234_C519),
        ("the", 0xEAF2_8696_5544_D640),
        ("fourteen-bytes", 0xECBA_B174_6D51_C1BE),
        ("a key longer than sixteen bytes", 0x0373_E96E_2435_B0F8),
    ]

    @Test func encodedKeysHashToFixedValues() {
        for (key, expected) in Self.vectors {
            #expect(StableHash.hash(key.encodedBytes) == expected, "\(key)")
        }
    }

    @Test func longKeysUseXXHash64() {
        let key = Array("a key longer than sixteen bytes".utf8)
        #expect(StableHash.hash(key) == XXHash64.hash(key))
    }

    @Test func shortKeysDependOnEveryByteAndTheLength() {
        var seen: Set<UInt64> = []
        for length in 0...16 {
            let zeros = [UInt8](repeating: 0, count: length)
            #expect(seen.insert(StableHash.hash(zeros)).inserted, "length \(length)")
            for position in 0..<length {
                var flipped = zeros
                flipped[position] = 1
                #expect(seen.insert(StableHash.hash(flipped)).inserted, "length \(length) byte \(position)")
            }
        }
    }
}
