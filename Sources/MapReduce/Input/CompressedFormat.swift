/// Compressed and archive formats, recognised by their first bytes whatever the file is called, so that such an
/// input is refused at planning instead of being read as text (a gzipped log read as lines gives garbage records
/// and, for word count, no output at all).
enum CompressedFormat {
    /// The magic numbers, from each format's specification, long enough that text or random binary records are
    /// not mistaken for them (gzip's includes the deflate method and reserved flag bits).
    private static let signatures: [(name: String, matches: @Sendable ([UInt8]) -> Bool, decompress: String)] = [
        ("gzip", { $0.count >= 4 && $0[0] == 0x1F && $0[1] == 0x8B && $0[2] == 0x08 && $0[3] & 0xE0 == 0 }, "gunzip -k"),
        ("bzip2", { $0.starts(with: Array("BZh".utf8)) && $0.count >= 4 && (0x31...0x39).contains($0[3]) }, "bunzip2 -k"),
        ("xz", { $0.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) }, "unxz -k"),
        ("zstd", { $0.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) }, "unzstd"),
        ("lz4", { $0.starts(with: [0x04, 0x22, 0x4D, 0x18]) }, "unlz4"),
        ("zip", { $0.starts(with: [0x50, 0x4B, 0x03, 0x04]) || $0.starts(with: [0x50, 0x4B, 0x05, 0x06]) }, "unzip"),
        ("7z", { $0.starts(with: [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) }, "7z x"),
    ]

    /// How many leading bytes ``detect(_:)`` needs.
    static let prefixLength = 6

    /// The format whose signature `prefix` (a file's first bytes) starts with, and the command that decompresses
    /// it, or `nil` for anything else.
    static func detect(_ prefix: [UInt8]) -> (name: String, decompress: String)? {
        signatures.first { $0.matches(prefix) }.map { ($0.name, $0.decompress) }
    }
}
