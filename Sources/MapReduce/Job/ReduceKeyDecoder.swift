/// Decodes a reduce's keys, one after another.
///
/// A byte-string key (`[UInt8]`) is decoded into the array of the key before it when nothing else holds that
/// array (the reduce function did not keep the key) and the two are the same length, so a job whose every key is
/// new, such as the sort, allocates nothing per key: decoding into a new array and freeing it was about 450
/// instructions a key, 5% of the sort's. A key the reduce function kept is left alone (the array is copied before
/// it is written). Other keys are decoded as usual.
@usableFromInline
struct ReduceKeyDecoder<Key: RecordCodable> {
    /// The last byte-string key decoded.
    @usableFromInline var previous: [UInt8] = []

    @inlinable
    init() {}

    /// Decodes a key that must span all of `encoded`, as ``RecordCodable/init(decoding:)-(UnsafeRawBufferPointer)`` does.
    @inlinable
    mutating func decode(_ encoded: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Key {
        guard Key.self == [UInt8].self else { return try Key(decoding: encoded) }
        var reader = RecordReader(encoded)
        try reader.readByteString(for: "[UInt8]") { (bytes) throws(RecordDecodingError) -> Void in
            if previous.count == bytes.count {
                previous.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
            } else {
                previous = [UInt8](bytes)
            }
        }
        try reader.requireEnd(of: "\(Key.self)")
        // Key is [UInt8] (checked above): reinterpret instead of `as!`.
        return unsafeBitCast(previous, to: Key.self)
    }
}
