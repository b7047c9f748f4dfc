#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Paths every process agrees on, whatever its working directory: inputs, the shared directory, the output.
package enum CanonicalPath {
    /// `path` made absolute, with its directory part resolved by `realpath` (symbolic links, `.` and `..`) and its
    /// last component kept as it is, so a file's name (which jobs may use) does not change; `nil` if its
    /// directory does not exist.
    package static func of(_ path: String) -> String? {
        var trimmed = path
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        let slash = trimmed.lastIndex(of: "/")
        let directory = slash.map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? "."
        let name = slash.map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
        if name == "." || name == ".." { return resolved(trimmed) }
        guard let base = resolved(directory) else { return nil }
        if name.isEmpty || trimmed == "/" { return base }
        return base == "/" ? "/" + name : base + "/" + name
    }

    private static func resolved(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
