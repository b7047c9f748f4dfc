public import MapReduce

/// Counts how often each word occurs: `word count`.
///
/// A word is a maximal run of Unicode letters (categories Lu, Ll, Lt, Lm, Lo); anything else separates words.
/// Case is kept, so `The` and `the` are different words.
public let wordCount = Job<String, Int>("word-count", combiner: { $0 + $1 }) { line, emit in
    for word in line.words { emit(word, 1) }
} reduce: { _, counts in
    counts.reduce(0, +)
}
