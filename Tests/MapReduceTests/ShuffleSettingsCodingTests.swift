import Foundation
import MapReduce
import Testing

/// A total-order job's range boundaries travel in every assignment: as base64 strings (a sort's 255 boundaries as
/// arrays of numbers cost the coordinator 11 ms of JSON encoding per task at 256 x 256), read back exactly.
@Suite struct ShuffleSettingsCodingTests {
    let settings = ShuffleSettings(partitions: 3, memoryBudget: 64 << 20, rangeBoundaries: [Array("apple".utf8), [0, 255, 10, 13], []])

    @Test func rangeBoundariesTravelAsBase64AndComeBackExactly() throws {
        let encoded = try JSONEncoder().encode(settings)
        let object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect(object["rangeBoundaries"] as? [String] == ["YXBwbGU=", "AP8KDQ==", ""])
        #expect(try JSONDecoder().decode(ShuffleSettings.self, from: encoded) == settings)
        #expect(try JSONDecoder().decode(ShuffleSettings.self, from: JSONEncoder().encode(ShuffleSettings())) == ShuffleSettings())
    }

    @Test func boundariesAsArraysOfBytesFromAnEarlierBuildAreStillRead() throws {
        let earlier =
            #"{"partitions":3,"memoryBudget":67108864,"compressionLevel":1,"blockSize":65536,"syncFiles":true,"#
            + #""rangeBoundaries":[[97,112,112,108,101],[0,255,10,13],[]]}"#
        #expect(try JSONDecoder().decode(ShuffleSettings.self, from: Data(earlier.utf8)) == settings)
    }

    @Test func aBoundaryThatIsNotBase64IsRefusedNamingIt() throws {
        let bad = #"{"partitions":2,"memoryBudget":1,"compressionLevel":1,"blockSize":65536,"syncFiles":true,"rangeBoundaries":["not base64!"]}"#
        let error = try #require(throws: DecodingError.self) { try JSONDecoder().decode(ShuffleSettings.self, from: Data(bad.utf8)) }
        #expect("\(error)".contains("not base64"))
    }

    /// A level the compressor would silently clamp (or read as another) is refused where settings arrive.
    @Test func aCompressionLevelOutOfRangeIsRefusedNamingIt() throws {
        for level in [-8, 20, 1_000] {
            let bad = #"{"partitions":2,"memoryBudget":65536,"compressionLevel":"# + "\(level)" + #","blockSize":65536,"syncFiles":true}"#
            let error = try #require(throws: DecodingError.self) { try JSONDecoder().decode(ShuffleSettings.self, from: Data(bad.utf8)) }
            #expect("\(error)".contains("compression level must be from -7 to 19"), "\(error)")
        }
        let fast = #"{"partitions":2,"memoryBudget":65536,"compressionLevel":-3,"blockSize":65536,"syncFiles":true}"#
        #expect(try JSONDecoder().decode(ShuffleSettings.self, from: Data(fast.utf8)).compressionLevel == -3)
    }
}
