public import MapReduce

/// For each word, how many input files contain it and which: `word 2 a.txt,b.txt`.
///
/// Words are as in ``wordCount``. Files are named by their base name, sorted byte-wise, joined by commas
/// without spaces. The map side combines each word's file lists, so a word repeated in a file costs one record.
public let invertedIndex = Job<String, [String]>("inverted-index", combiner: mergeSortedNames) { line, emit in
    let file = [line.file.name]
    for word in line.words { emit(word, file) }
} reduce: { _, fileLists in
    var files: [String] = []
    for list in fileLists { files = mergeSortedNames(files, list) }
    return "\(files.count) \(files.joined(separator: ","))"
}

/// The union of two byte-wise sorted lists of distinct names, sorted.
@Sendable
func mergeSortedNames(_ a: [String], _ b: [String]) -> [String] {
    if a == b || b.isEmpty { return a }
    if a.isEmpty { return b }
    var merged: [String] = []
    merged.reserveCapacity(a.count + b.count)
    var i = 0
    var j = 0
    while i < a.count, j < b.count {
        if a[i] == b[j] {
            merged.append(a[i])
            i += 1
            j += 1
        } else if a[i].utf8.lexicographicallyPrecedes(b[j].utf8) {
            merged.append(a[i])
            i += 1
        } else {
            merged.append(b[j])
            j += 1
        }
    }
    merged += a[i...]
    merged += b[j...]
    return merged
}
