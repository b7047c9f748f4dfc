import Synchronization

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// A new file written through a buffer under a temporary name and published atomically by ``commit(sync:)``.
///
/// Readers never see a partial file: until `commit`, the data lives at `.<name>.tmp-<pid>-<n>` beside `path`;
/// `commit` flushes, optionally fsyncs, closes (a failed close is a failed write: NFS reports write errors there)
/// and renames it to `path` (atomic within a directory). A writer dropped without `commit` removes its temporary
/// file. The temporary name starts with a dot, as hidden files do, so no glob of the final names (`part-*`) and
/// no input listing ever takes a partial file for one; ``isTemporary(_:)`` recognises what a dead writer left.
final class WritableFile {
    let path: String
    let temporaryPath: String
    private var descriptor: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    private(set) var bytesWritten: Int64 = 0

    private static let counter = Atomic<Int>(0)

    /// Whether `name` (a file name, not a path) is a temporary name a writer gives a file until it commits it.
    static func isTemporary(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(".tmp-") }

    /// Creates the temporary file, beside `path`.
    init(path: String, bufferSize: Int = 1 << 20) throws(FileIOError) {
        self.path = path
        let name = InputFile(path: path).name
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        temporaryPath = "\(directory)/.\(name).tmp-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileIOError(path: temporaryPath, operation: "create") }
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(FileIOError) {
        bytesWritten += Int64(bytes.count)
        if bytes.count > buffer.count - buffered {
            try flush()
            if bytes.count >= buffer.count { return try writeFully(bytes) }
        }
        UnsafeMutableRawBufferPointer(rebasing: buffer[buffered...]).copyMemory(from: bytes)
        buffered += bytes.count
    }

    func write(_ bytes: [UInt8]) throws(FileIOError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(FileIOError) in try write(raw) } }.get()
    }

    /// Flushes, optionally fsyncs, closes and renames the file into place.
    func commit(sync: Bool) throws(FileIOError) {
        try flush()
        if sync, fsync(descriptor) != 0 { throw FileIOError(path: temporaryPath, operation: "fsync") }
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else {
            let failure = FileIOError(path: temporaryPath, operation: "close (finish writing)")
            unlink(temporaryPath)
            throw failure
        }
        guard rename(temporaryPath, path) == 0 else {
            let failure = FileIOError(path: path, operation: "rename '\(temporaryPath)' to")
            unlink(temporaryPath)
            throw failure
        }
    }

    private func flush() throws(FileIOError) {
        guard buffered > 0 else { return }
        try writeFully(UnsafeRawBufferPointer(rebasing: buffer[..<buffered]))
        buffered = 0
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) throws(FileIOError) {
        var offset = 0
        while offset < bytes.count {
            let count = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileIOError(path: temporaryPath, operation: "write")
            }
            offset += count
        }
    }

}
