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
