#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for positional reads.
final class ReadableFile {
    let path: String
    private let descriptor: Int32

    init(path: String) throws(FileIOError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileIOError(path: path, operation: "open for reading") }
    }

    deinit { close(descriptor) }

    /// The whole of the file at `path`, if it is a regular file of at most `limit` bytes; `nil` for anything else
    /// (a directory, a FIFO: opened without waiting for a writer; a file too large to be what it is named), unread.
    static func contents(of path: String, limit: Int) throws(FileIOError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw FileIOError(path: path, operation: "open for reading") }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileIOError(path: path, operation: "stat") }
        guard info.st_mode & S_IFMT == S_IFREG, info.st_size <= limit else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + total, $0.count - total) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileIOError(path: path, operation: "read")
            }
            if count == 0 { break }
            total += count
        }
        // One byte more than its size was asked for: a file that grew past the limit meanwhile is refused too.
        return total <= limit ? Array(bytes[..<total]) : nil
    }

    /// The file's size in bytes.
    func size() throws(FileIOError) -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileIOError(path: path, operation: "stat") }
        return Int64(info.st_size)
    }

    /// The open file's fingerprint (from `fstat`).
    func fingerprint() throws(FileIOError) -> FileFingerprint {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileIOError(path: path, operation: "stat") }
        return FileFingerprint(info)
    }

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

/// The system's `read`, by a name that ``ReadableFile``'s own `read` does not hide.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(descriptor, buffer, count) }
