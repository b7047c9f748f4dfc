import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts input files into line-aligned splits and packs them into map tasks.
///
/// Directories expand to the regular files below them (byte-wise sorted, names starting with `.` or `_`
/// skipped, as Hadoop does). A file larger than `splitSize` is cut into equal ranges of at most `splitSize`
/// bytes, except that a file up to 10% over the bound stays whole (Hadoop's split slop: a 65 MiB file is one
/// task, not two of 32.5 MiB); consecutive small files share a task until it holds `splitSize` bytes, so a thousand small files do
/// not cost a thousand tasks. Empty files hold no lines and get no split. Compressed (`.zst`) files are one split
/// each. With a ``JobConfiguration/targetMapTasks`` count, a small input is cut finer, so that there are enough tasks for every
/// worker (``JobConfiguration/effectiveSplitSize(forInputOf:)``).
package struct SplitPlanner: Sendable {
    /// The most bytes one map task reads (compressed bytes for `.zst` files).
    package var splitSize: Int64
    /// The configuration whose ``JobConfiguration/effectiveSplitSize(forInputOf:)`` shrinks ``splitSize`` for a
    /// small input; `nil`: ``splitSize`` as it is.
    package var configuration: JobConfiguration?

    /// Creates a planner with a split size bound.
    package init(splitSize: Int64) {
        precondition(splitSize > 0, "splitSize must be positive")
        self.splitSize = splitSize
    }

    /// Creates a planner that cuts splits as `configuration` says: at most its split size, smaller for a small
    /// input.
    package init(_ configuration: JobConfiguration) {
        self.init(splitSize: configuration.splitSize)
        self.configuration = configuration
    }

    /// The map tasks' inputs for `paths`, in order.
    /// - Parameters:
    ///   - paths: input files or directories.
    ///   - wholeFiles: never cut a file (an earlier step's intermediate files, which are read whole).
    package func plan(_ paths: [String], wholeFiles: Bool = false) throws(InputError) -> [[InputSplit]] {
        guard !paths.isEmpty else { throw InputError(.noInputs, path: nil, "no input files were given; name at least one file or directory") }
        var tasks: [[InputSplit]] = []
        var current: [InputSplit] = []
        var currentBytes: Int64 = 0
        let files = try expand(paths)
        let splitSize = configuration?.effectiveSplitSize(forInputOf: files.reduce(0) { $0 + $1.1 }) ?? self.splitSize
        for (file, size) in files where size > 0 {
            for split in cut(file, size: size, whole: wholeFiles, splitSize: splitSize) {
                if currentBytes + split.length > splitSize, !current.isEmpty {
                    tasks.append(current)
                    current = []
                    currentBytes = 0
                }
                current.append(split)
                currentBytes += split.length
            }
        }
        if !current.isEmpty { tasks.append(current) }
        return tasks
    }

    /// The regular files named by `paths`, with their sizes; directories expand recursively.
    ///
    /// Every path is made absolute and canonical (its directory resolved with `realpath`, its own name kept), so
    /// a worker started in another working directory reads the same files. Each file is fingerprinted
    /// (``FileFingerprint``). Anything but a regular file or a directory (a FIFO, a device, a socket) is refused:
    /// reading one could block forever or never end. So is a compressed file or an archive (gzip, bzip2, xz, lz4,
    /// zip, 7z; zstd not named `.zst`), recognised by its first bytes whatever its name: read as records, it would
    /// be garbage. (`.zst` files are decompressed as they are read.)
    package func expand(_ paths: [String]) throws(InputError) -> [(InputFile, Int64)] {
        var files: [(InputFile, Int64)] = []
        for given in paths {
            let path = try Self.canonical(given)
            let info = try Self.status(of: path, given: given)
            if Self.isDirectory(info) {
                guard let names = try? FileManager.default.subpathsOfDirectory(atPath: path) else {
                    throw InputError(.unreadable, path: given, "input directory '\(given)' cannot be listed; check its permissions")
                }
                let visible = names.filter { name in
                    !name.split(separator: "/").contains { $0.hasPrefix(".") || $0.hasPrefix("_") }
                }
                for name in visible.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    let child = path == "/" ? "/" + name : path + "/" + name
                    let childInfo = try Self.status(of: child, given: child)
                    if Self.isDirectory(childInfo) { continue }
                    files.append(try Self.regularFile(child, childInfo))
                }
            } else {
                files.append(try Self.regularFile(path, info))
            }
        }
        return files
    }

    /// An input's path made absolute and canonical (``CanonicalPath``).
    package static func canonical(_ path: String) throws(InputError) -> String {
        guard let canonical = CanonicalPath.of(path) else {
            throw InputError(.notFound, path: path, "input '\(path)' does not exist; check the path")
        }
        return canonical
    }

    private static func status(of path: String, given: String) throws(InputError) -> stat {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno
            if reason == ENOENT { throw InputError(.notFound, path: given, "input '\(given)' does not exist; check the path") }
            throw InputError(.unreadable, path: given, "input '\(given)' cannot be examined (\(String(cString: strerror(reason)))); check its permissions")
        }
        return info
    }

    private static func isDirectory(_ info: stat) -> Bool { info.st_mode & S_IFMT == S_IFDIR }

    /// The input file at `path` (which `info` describes), after checking that it is a regular, readable file.
    private static func regularFile(_ path: String, _ info: stat) throws(InputError) -> (InputFile, Int64) {
        guard info.st_mode & S_IFMT == S_IFREG else {
            let kind: String
            switch info.st_mode & S_IFMT {
            case S_IFIFO: kind = "a FIFO (named pipe)"
            case S_IFCHR: kind = "a character device"
            case S_IFBLK: kind = "a block device"
            case S_IFSOCK: kind = "a socket"
            default: kind = "not a regular file"
            }
            throw InputError(.notAFile, path: path, "input '\(path)' is \(kind); inputs must be regular files: copy its data into a file first")
        }
        var prefix = [UInt8](repeating: 0, count: CompressedFormat.prefixLength)
        do {
            let file = try ReadableFile(path: path)
            let count = try prefix.withUnsafeMutableBytes { buffer throws(FileIOError) in try file.read(into: buffer, at: 0) }
            prefix.removeLast(prefix.count - count)
        } catch {
            throw InputError(.unreadable, path: path, "input '\(path)' cannot be read (\(error)); check its permissions")
        }
        let input = InputFile(path: path, fingerprint: FileFingerprint(info))
        let format = CompressedFormat.detect(prefix)
        if let compression = input.compression {
            guard format?.name == compression.rawValue else {
                throw InputError(
                    .unreadable, path: path,
                    "input '\(path)' is named as \(compression.rawValue)-compressed but is \(format.map { "\($0.name) data" } ?? "not compressed data"): rename it after what it holds"
                )
            }
        } else if let format {
            let advice =
                switch format.name {
                case "zstd", "gzip":
                    "name it with the .\(format.name == "zstd" ? "zst" : "gz") ending, under which \(format.name) inputs are decompressed as they are read"
                default: "decompress it first (\(format.decompress) '\(path)') and give the result"
                }
            throw InputError(
                .unreadable, path: path, "input '\(path)' is \(format.name)-compressed data, which would be read as garbage: \(advice)")
        }
        return (input, input.fingerprint?.size ?? Int64(info.st_size))
    }

    /// How far over the split size a file may be and still be one split.
    static let slop = 1.1

    private func cut(_ file: InputFile, size: Int64, whole: Bool, splitSize: Int64) -> [InputSplit] {
        if file.isCompressed || whole { return [InputSplit(file: file, start: 0, end: size)] }
        let count = Double(size) <= Double(splitSize) * Self.slop ? 1 : (size + splitSize - 1) / splitSize
        let length = (size + count - 1) / count
        return stride(from: Int64(0), to: size, by: Int(length)).map { start in
            InputSplit(file: file, start: start, end: min(start + length, size))
        }
    }
}
