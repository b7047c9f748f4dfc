@testable import MapReduce
import Testing

/// A reduce's byte-string keys reuse one array, but never one the reduce function kept.
@Suite struct ReduceKeyDecoderTests {
    func encoded(_ bytes: [UInt8]) -> [UInt8] {
        var writer = RecordWriter()
        bytes.encode(to: &writer)
        return writer.bytes
    }

    @Test func aKeyNotKeptIsOverwrittenInPlaceAndAKeptOneIsLeftAlone() throws {
        var decoder = ReduceKeyDecoder<[UInt8]>()
        let first = try encoded(Array("apple".utf8)).withUnsafeBytes { try decoder.decode($0) }
        #expect(first == Array("apple".utf8))
        let firstStorage = first.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        // `first` is still held here: the next key of the same length must not write into it.
        let second = try encoded(Array("melon".utf8)).withUnsafeBytes { try decoder.decode($0) }
        #expect(first == Array("apple".utf8))
        #expect(second == Array("melon".utf8))
        #expect(second.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) } != firstStorage)
        // Not held (only the decoder's copy is): decoded in place.
        var storages: Set<UInt> = []
        for word in ["grape", "lemon", "mango"] {
            let key = try encoded(Array(word.utf8)).withUnsafeBytes { try decoder.decode($0) }
            #expect(key == Array(word.utf8))
            storages.insert(key.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) })
        }
        #expect(storages.count == 1)
    }

    @Test func keysOfOtherLengthsEscapesAndEmptinessDecodeExactly() throws {
        var decoder = ReduceKeyDecoder<[UInt8]>()
        for key: [UInt8] in [[1, 2, 3], [], [0, 0, 255], [9], [0xFF, 0, 1], Array(repeating: 7, count: 300), []] {
            #expect(try encoded(key).withUnsafeBytes { try decoder.decode($0) } == key)
        }
    }

    @Test func bytesLeftOverAreRefusedAsByTheUsualDecoding() throws {
        var decoder = ReduceKeyDecoder<[UInt8]>()
        let bad = encoded([1, 2]) + [5]
        let error = try #require(throws: RecordDecodingError.self) { try bad.withUnsafeBytes { try decoder.decode($0) } }
        #expect(error.description.contains("1 bytes left over"), "\(error)")
        var strings = ReduceKeyDecoder<String>()
        var writer = RecordWriter()
        "pear".encode(to: &writer)
        #expect(try writer.bytes.withUnsafeBytes { try strings.decode($0) } == "pear")
    }
}
