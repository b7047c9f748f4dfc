import MapReduce
import Testing

struct Sale: Codable, Equatable, RecordCodable {
    struct Place: Codable, Equatable {
        var city: String
        var zip: Int?
    }

    var id: Int
    var customer: String
    var price: Double
    var paid: Bool
    var tags: [String]
    var note: String?
    var place: Place
    var history: [Place]
    var coupon: Place?
}

@Suite struct RecordCodableTests {
    func roundTrip<T: RecordCodable & Equatable>(_ value: T) throws {
        #expect(try T(decoding: value.encodedBytes) == value)
    }

    @Test func integersRoundTripAtTheirLimits() throws {
        for value in [Int.min, Int.min + 1, -256, -255, -1, 0, 1, 127, 128, 255, 256, 65535, 1 << 40, Int.max] { try roundTrip(value) }
        for value in [Int8.min, -1, 0, Int8.max] { try roundTrip(value) }
        for value in [Int16.min, 0, Int16.max] { try roundTrip(value) }
        for value in [Int32.min, 0, Int32.max] { try roundTrip(value) }
        for value in [Int64.min, 0, Int64.max] { try roundTrip(value) }
        for value in [UInt.min, 1, UInt.max] { try roundTrip(value) }
        for value in [UInt8.min, UInt8.max] { try roundTrip(value) }
        for value in [UInt16.min, UInt16.max] { try roundTrip(value) }
        for value in [UInt32.min, UInt32.max] { try roundTrip(value) }
        for value in [UInt64.min, UInt64.max] { try roundTrip(value) }
    }

    @Test func smallIntegersTakeTwoBytes() {
        #expect(1.encodedBytes == [0x81, 0x01])
        #expect(0.encodedBytes == [0x80])
        #expect((-1).encodedBytes.count == 2)
    }

    /// The integer form written a byte at a time, as the format describes it.
    static func referenceEncoding(_ value: Int64) -> [UInt8] {
        let magnitude = value.magnitude
        let count = (64 - magnitude.leadingZeroBitCount + 7) / 8
        let stored = value >= 0 ? magnitude : (count == 8 ? .max : (1 << UInt64(count * 8)) - 1) - magnitude
        return [value >= 0 ? 0x80 + UInt8(count) : 0x80 - UInt8(count)] + (0..<count).reversed().map { UInt8(truncatingIfNeeded: stored >> UInt64($0 * 8)) }
    }

    @Test func everyIntegerWidthIsWrittenAsTheFormatSays() {
        var values: [Int64] = [0, 1, -1, .min, .max]
        for bits in 1..<63 { values += [1 << Int64(bits), (1 << Int64(bits)) - 1, -(1 << Int64(bits)), -(1 << Int64(bits)) + 1] }
        for value in values {
            #expect(value.encodedBytes == Self.referenceEncoding(value), "\(value)")
            #expect(Int(value).encodedBytes == Self.referenceEncoding(value))
        }
        #expect(UInt64.max.encodedBytes == [0x88] + [UInt8](repeating: 0xFF, count: 8))
        #expect(Double(-2.5).encodedBytes.count == 8 && Float(1).encodedBytes.count == 4)
    }

    @Test func outOfRangeIntegerIsRejected() {
        #expect(throws: RecordDecodingError.self) { try Int8(decoding: 300.encodedBytes) }
        #expect(throws: RecordDecodingError.self) { try UInt(decoding: (-1).encodedBytes) }
    }

    @Test func scalarsAndContainersRoundTrip() throws {
        for value in ["", "a", "a\u{0}b", "\u{0}", "café", "日本語", String(repeating: "x", count: 1000)] { try roundTrip(value) }
        for value in [0.0, -0.5, 1e300, -1e300, .infinity, -.infinity, .leastNonzeroMagnitude] { try roundTrip(value) }
        try roundTrip(Float(3.25))
        try roundTrip(true)
        try roundTrip(false)
        try roundTrip([UInt8]([0, 1, 0, 255, 0]))
        try roundTrip([UInt8]())
        try roundTrip(Int?.none)
        try roundTrip(Int?.some(5))
        try roundTrip(["a", "", "b\u{0}"])
        try roundTrip([[1, 2], [], [3]])
        try roundTrip([String?.none, "x"])
    }

    @Test func codableStructRoundTripsWithoutACodec() throws {
        let place = Sale.Place(city: "Oslo", zip: nil)
        let sale = Sale(
            id: 7, customer: "ann", price: 9.5, paid: true, tags: ["x", "y"], note: nil, place: place,
            history: [place, .init(city: "Bergen", zip: 5003)], coupon: .init(city: "", zip: -1))
        try roundTrip(sale)
        var other = sale
        other.note = "gift"
        other.coupon = nil
        try roundTrip(other)
    }

    @Test func truncatedOrGarbageBytesAreRejected() {
        let bytes = "hello".encodedBytes
        #expect(throws: RecordDecodingError.self) { try String(decoding: Array(bytes.dropLast())) }
        #expect(throws: RecordDecodingError.self) { try Bool(decoding: [7]) }
        #expect(throws: RecordDecodingError.self) { try Int(decoding: [0x81, 0x01, 0x00]) }
    }

    func expectOrderPreserved<T: RecordCodable & Comparable>(_ values: [T]) {
        for a in values {
            for b in values where a != b {
                #expect((a < b) == a.encodedBytes.lexicographicallyPrecedes(b.encodedBytes), "\(a) vs \(b)")
            }
        }
    }

    @Test func encodingPreservesOrder() {
        var random = SystemRandomNumberGenerator()
        let integers =
            [Int.min, -70000, -256, -255, -2, -1, 0, 1, 2, 255, 256, 70000, Int.max]
            + (0..<40).map { _ in Int.random(in: -1_000_000...1_000_000, using: &random) }
        expectOrderPreserved(integers)
        expectOrderPreserved([UInt64.min, 1, 255, 256, UInt64.max])
        expectOrderPreserved([-Double.infinity, -1e10, -1, -0.5, 0, 0.25, 1, 1e10, .infinity])
        expectOrderPreserved(["", "a", "a\u{0}", "a\u{0}b", "ab", "b", "é", "日"])
        #expect(false.encodedBytes.lexicographicallyPrecedes(true.encodedBytes))
    }

    @Test func arrayEncodingComparesElementWise() {
        let arrays: [[Int]] = [[], [1], [1, 2], [1, 3], [2], [-1, 5]]
        for a in arrays {
            for b in arrays where a != b {
                #expect(a.lexicographicallyPrecedes(b) == a.encodedBytes.lexicographicallyPrecedes(b.encodedBytes))
            }
        }
    }
}
