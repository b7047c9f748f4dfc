public import Foundation
public import MapReduce

/// The cluster's shared secret, from the first of: `--secret-file` (the file's contents, without a trailing line
/// ending), the `MR_SECRET` environment variable, or `--secret` (visible to every local user in `ps`: for tests).
public enum SharedSecret {
    /// The secret, or `nil` if none was given.
    /// - Throws: a one-line error if the file cannot be read or holds no secret.
    public static func load(file: String?, flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw SecretError(message: "--secret-file '\(file)' cannot be read; check the path and its permissions")
            }
            let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            guard !secret.isEmpty else { throw SecretError(message: "--secret-file '\(file)' is empty; put the cluster's secret in it") }
            return secret
        }
        if let secret = environment["MR_SECRET"], !secret.isEmpty { return secret }
        return flag
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
