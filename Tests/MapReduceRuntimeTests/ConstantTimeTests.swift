import Testing

@testable import MapReduceRuntime

/// The comparison of secrets.
@Suite struct ConstantTimeTests {
    @Test func equalOnlyWhenEveryByteAndTheLengthAgree() {
        let secret = Array("hunter2".utf8)
        #expect(ConstantTime.equal(secret, secret))
        #expect(!ConstantTime.equal(secret, Array("hunter3".utf8)))
        #expect(!ConstantTime.equal(secret, secret + [0]))
        // The length difference was cut to 8 bits: the secret followed by 256 NUL bytes compared equal.
        #expect(!ConstantTime.equal(secret, secret + [UInt8](repeating: 0, count: 256)))
        #expect(!ConstantTime.equal([], [UInt8](repeating: 0, count: 512)))
    }
}
