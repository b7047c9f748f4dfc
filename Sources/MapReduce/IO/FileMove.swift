#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Moves a finished file into place atomically, within one filesystem or across two.
///
/// Within a filesystem it is one `rename(2)`. Across filesystems (`EXDEV`: the shared directory on one mount, the
/// output on another) it copies the file to a temporary name beside `destination`, fsyncs it, renames it into
/// place, fsyncs the directory, and only then removes `source`; a reader of `destination` never sees a partial
/// file, and a crash at any point leaves `source` or `destination` whole.
package enum FileMove {
    /// Moves `source` to `destination`, replacing it.
    /// - Returns: whether the move had to copy (the two are on different filesystems).
    @discardableResult
    package static func move(_ source: String, to destination: String) throws(FileIOError) -> Bool {
        if rename(source, destination) == 0 { return false }
        guard errno == EXDEV else { throw FileIOError(path: destination, operation: "rename '\(source)' to") }
        try copy(source, to: destination)
        guard unlink(source) == 0 || errno == ENOENT else { throw FileIOError(path: source, operation: "remove (after copying it to '\(destination)')") }
        return true
    }

    private static func copy(_ source: String, to destination: String) throws(FileIOError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw FileIOError(path: source, operation: "open for reading") }
        defer { close(input) }
        let output = try WritableFile(path: destination)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(input, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileIOError(path: source, operation: "read")
            }
            if count == 0 { break }
            try output.write(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
        try output.commit(sync: true)
        let directory = destination.lastIndex(of: "/").map { String(destination[..<$0]) } ?? "."
        let handle = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_CLOEXEC)
        if handle >= 0 {
            _ = fsync(handle)
            close(handle)
        }
    }
}
