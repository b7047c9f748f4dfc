#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for positional reads.
final class ReadableFile {
    let path: String
    private let descriptor: Int32

    /// Opens `path` with `flags` (read-only by default).
    init(path: String, flags: Int32 = O_RDONLY | O_CLOEXEC) throws(FileIOError) {
        self.path = path
        descriptor = open(path, flags)
        guard descriptor >= 0 else { throw FileIOError(path: path, operation: "open for reading") }
    }

    deinit { close(descriptor) }

    /// The whole of the file at `path`, if it is a regular file of at most `limit` bytes; `nil` for anything else
    /// (a directory, a FIFO: opened without waiting for a writer; a file too large to be what it is named), unread.
    /// - Throws: ``FileIOError``.
    static func contents(of path: String, limit: Int) throws -> [UInt8]? {
        let file = try ReadableFile(path: path, flags: O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        let info = try file.status()
        guard info.st_mode & S_IFMT == S_IFREG, info.st_size <= limit else { return nil }
        // One byte more than its size is asked for: a file that grew past the limit meanwhile is refused too.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        let total = try bytes.withUnsafeMutableBytes { try file.read(into: $0, at: 0) }
        return total <= limit ? Array(bytes[..<total]) : nil
    }

    /// The open file's `fstat`.
    private func status() throws(FileIOError) -> stat {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileIOError(path: path, operation: "stat") }
        return info
    }

    /// The file's size in bytes.
    func size() throws(FileIOError) -> Int64 { Int64(try status().st_size) }

    /// The open file's fingerprint (from `fstat`).
    func fingerprint() throws(FileIOError) -> FileFingerprint { FileFingerprint(try status()) }

    /// Reads into `buffer` from `offset` until it is full or the file ends.
    /// - Returns: the number of bytes read; less than `buffer.count` only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(FileIOError) -> Int {
        var total = 0
        while total < buffer.count {
            let count = pread(descriptor, buffer.baseAddress! + total, buffer.count - total, off_t(offset) + off_t(total))
            if count < 0 {
                if errno == EINTR { continue }
                throw FileIOError(path: path, operation: "read")
            }
            if count == 0 { break }
            total += count
        }
        return total
    }
}
