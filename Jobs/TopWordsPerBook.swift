public import MapReduce

/// A word of one book: the key of ``countWordsPerBook``.
public struct BookWord: Codable, RecordCodable, Hashable, Sendable {
    /// The book's file name.
    public var book: String
    /// The word.
    public var word: String
}

/// A word and how often it occurs in a book: what ``countWordsPerBook`` emits per book.
public struct WordFrequency: Codable, RecordCodable, Hashable, Sendable {
    /// The word.
    public var word: String
    /// Its occurrences.
    public var count: Int
}

/// One row of ``topWordsPerBook(top:)``'s output.
public struct RankedWord: Codable, Hashable, Sendable {
    /// The book's file name.
    public var book: String
    /// 1 for the book's most frequent word.
    public var rank: Int
    /// The word.
    public var word: String
    /// Its occurrences in the book.
    public var count: Int
}

/// The order of a book's words in the ranking step: most frequent first, ties by word (byte order).
struct FrequencyRank: Codable, RecordCodable, Hashable, Sendable {
    var descendingCount: Int
    var word: String
}

/// The first step of ``topWordsPerBook(top:)``: how often each word occurs in each book (words as in
/// ``wordCount``; a book is an input file, by name), emitted per book.
public let countWordsPerBook = Step<BookWord, Int, String, WordFrequency>("count-words-per-book", combiner: +) { line, emit in
    let book = line.file.name
    for word in line.words { emit(BookWord(book: book, word: word.string), 1) }
} reduce: { key, counts, emit in
    emit(key.book, WordFrequency(word: key.word, count: counts.reduce(0, +)))
}

/// The `top` most frequent words of each book, ranked: count, then rank, a job of two steps.
///
/// Ranking is a second MapReduce: the counts must all be known before any book's words can be ordered. The second
/// step sorts each book's words by descending count (``Job/sortingValues(by:)``), so its reduce reads only the
/// first `top` and holds nothing, however large the vocabulary. Output: CSV with a header,
/// `book,rank,word,count`, books in byte order.
public func topWordsPerBook(top: Int) -> Job<String, WordFrequency> {
    Job<String, WordFrequency>("top-words-per-book", after: countWordsPerBook, output: .csv(header: true)) { book, frequency, emit in
        emit(book, frequency)
    } reduce: { book, words, output in
        var rank = 0
        for word in words {
            rank += 1
            guard rank <= top else { break }
            try output.write(RankedWord(book: book, rank: rank, word: word.word, count: word.count))
        }
    }
    .sortingValues { FrequencyRank(descendingCount: -$0.count, word: $0.word) }
}

/// The catalog entry of ``topWordsPerBook(top:)``: `--param top=N`, 10 by default.
public let topWordsPerBookDefinition = JobDefinition("top-words-per-book", parameters: ["top": "how many words to rank per book (1 to 1000000; default 10)"]) {
    parameters in
    let text = parameters.values["top"] ?? "10"
    guard let top = Int(text), (1...1_000_000).contains(top) else {
        throw JobError(.badConfiguration, "job 'top-words-per-book' needs --param top=N with N from 1 to 1000000, not '\(text)'")
    }
    return AnyJob(topWordsPerBook(top: top))
}
