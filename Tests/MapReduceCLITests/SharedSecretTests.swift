import Testing

@testable import MapReduceCLI

/// How every side reads the cluster's shared secret.
@Suite struct SharedSecretTests {
    @Test func whitespaceAroundTheSecretIsNotPartOfIt() throws {
        #expect(try SharedSecret.text(Array("hunter2 \n".utf8), from: "f") == "hunter2")
        #expect(try SharedSecret.text(Array("\t pass phrase\r\n".utf8), from: "f") == "pass phrase")
        #expect(try SharedSecret.load(file: nil, flag: nil, environment: ["MR_SECRET": " s3cret "]) == "s3cret")
        #expect(try SharedSecret.load(file: nil, flag: nil, environment: [:]) == nil)
    }

    @Test func anEmptyOrBinarySecretIsRefusedWithoutShowingIt() {
        #expect(throws: SharedSecret.SecretError.self) { try SharedSecret.text(Array(" \n".utf8), from: "f") }
        do {
            _ = try SharedSecret.text([0x73, 0x65, 0xC3, 0xA9, 0x63], from: "--secret-file 's'")
            Issue.record("a non-ASCII secret was accepted")
        } catch {
            #expect(
                error.message == "--secret-file 's' holds a byte that is not printable ASCII (at offset 2); "
                    + "a secret must be text: encode random bytes, e.g. openssl rand -base64 32")
        }
    }

}
