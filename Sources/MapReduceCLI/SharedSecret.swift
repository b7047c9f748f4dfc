public import Foundation
public import MapReduce

/// The cluster's shared secret, from the first of: `--secret-file`, the `MR_SECRET` environment variable, or
/// `--secret` (visible to every local user in `ps`: for tests).
///
/// A secret is printable ASCII text (spaces allowed inside); whitespace around it, a trailing line ending included,
/// is not part of it, so `echo hunter2 > FILE` and `printf 'hunter2 \n' > FILE` hold the same secret on every
/// side. Random bytes must be encoded first (`openssl rand -base64 32 > FILE`): an HTTP header cannot carry them.
/// No message ever shows the secret.
public enum SharedSecret {
    /// The secret, or `nil` if none was given.
    /// - Throws: a one-line error if the file cannot be read, or the secret is empty or not printable text.
    public static func load(file: String?, flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw SecretError(message: "--secret-file '\(file)' cannot be read; check the path and its permissions")
            }
            return try text(Array(data), from: "--secret-file '\(file)'")
        }
        if let secret = environment["MR_SECRET"], !secret.isEmpty { return try text(Array(secret.utf8), from: "MR_SECRET") }
        return try flag.map { try text(Array($0.utf8), from: "--secret") }
    }

    /// `bytes` without the whitespace around them, checked to be printable ASCII.
    static func text(_ bytes: [UInt8], from source: String) throws(SecretError) -> String {
        let isWhitespace: (UInt8) -> Bool = { $0 == 0x20 || (0x09...0x0D).contains($0) }
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }), let last = bytes.lastIndex(where: { !isWhitespace($0) }) else {
            throw SecretError(message: "\(source) holds no secret; put the cluster's secret in it")
        }
        let secret = bytes[first...last]
        if let bad = secret.firstIndex(where: { !(0x20...0x7E).contains($0) }) {
            throw SecretError(
                message: "\(source) holds a byte that is not printable ASCII (at offset \(bad)); "
                    + "a secret must be text: encode random bytes, e.g. openssl rand -base64 32")
        }
        return String(decoding: secret, as: UTF8.self)
    }

    /// A secret that cannot be loaded.
    public struct SecretError: MapReduceError {
        /// What is wrong, and what to do.
        public let message: String
        /// Always ``MapReduce/ErrorCode/badSecret``.
        public var code: ErrorCode { .badSecret }
        /// None.
        public var cause: (any Error)? { nil }
    }
}
