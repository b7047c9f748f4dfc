import Foundation

/// Cuts input files into line-aligned splits and packs them into map tasks.
///
/// Directories expand to the regular files below them (byte-wise sorted, names starting with `.` or `_`
/// skipped, as Hadoop does). A file larger than `splitSize` is cut into equal ranges of at most `splitSize`
/// bytes, except that a file up to 10% over the bound stays whole (Hadoop's split slop: a 65 MiB file is one
/// task, not two of 32.5 MiB); consecutive small files share a task until it holds `splitSize` bytes, so a thousand small files do
/// not cost a thousand tasks. Empty files hold no lines and get no split. Compressed (`.zst`) files are one split
/// each.
public struct SplitPlanner: Sendable {
    /// The most bytes one map task reads (compressed bytes for `.zst` files).
    public var splitSize: Int64

    /// Creates a planner with a split size bound.
    public init(splitSize: Int64) {
        precondition(splitSize > 0, "splitSize must be positive")
        self.splitSize = splitSize
    }

    /// The map tasks' inputs for `paths`, in order.
    public func plan(_ paths: [String]) throws(InputError) -> [[InputSplit]] {
        guard !paths.isEmpty else { throw InputError(.noInputs, path: nil, "no input files were given; name at least one file or directory") }
        var tasks: [[InputSplit]] = []
        var current: [InputSplit] = []
        var currentBytes: Int64 = 0
        for (file, size) in try expand(paths) where size > 0 {
            for split in cut(file, size: size) {
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
    public func expand(_ paths: [String]) throws(InputError) -> [(InputFile, Int64)] {
        var files: [(InputFile, Int64)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(.notFound, path: path, "input '\(path)' does not exist; check the path")
            }
            if isDirectory.boolValue {
                guard let names = try? FileManager.default.subpathsOfDirectory(atPath: path) else {
                    throw InputError(.unreadable, path: path, "input directory '\(path)' cannot be listed; check its permissions")
                }
                let visible = names.filter { name in
                    !name.split(separator: "/").contains { $0.hasPrefix(".") || $0.hasPrefix("_") }
                }
                for name in visible.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    let child = path.hasSuffix("/") ? path + name : path + "/" + name
                    var childIsDirectory: ObjCBool = false
                    if FileManager.default.fileExists(atPath: child, isDirectory: &childIsDirectory), !childIsDirectory.boolValue {
                        files.append((InputFile(path: child), try size(of: child)))
                    }
                }
            } else {
                files.append((InputFile(path: path), try size(of: path)))
            }
        }
        return files
    }

    private func size(of path: String) throws(InputError) -> Int64 {
        do {
            let file = try ReadableFile(path: path)
            return try file.size()
        } catch {
            throw InputError(.unreadable, path: path, "input '\(path)' cannot be read (\(error)); check its permissions")
        }
    }

    /// How far over the split size a file may be and still be one split.
    static let slop = 1.1

    private func cut(_ file: InputFile, size: Int64) -> [InputSplit] {
        if file.isCompressed { return [InputSplit(file: file, start: 0, end: size)] }
        let count = Double(size) <= Double(splitSize) * Self.slop ? 1 : (size + splitSize - 1) / splitSize
        let length = (size + count - 1) / count
        return stride(from: Int64(0), to: size, by: Int(length)).map { start in
            InputSplit(file: file, start: start, end: min(start + length, size))
        }
    }
}
