extension Job {
    /// This job with each key's values handed to the reduce function in the order of their sort keys, smallest
    /// first: a secondary sort, like mrjob's `SORT_VALUES` or Hadoop's sort and grouping comparators.
    ///
    /// The shuffle sorts by the key's encoding followed by the sort key's, and the reduce groups by the key alone,
    /// so the values still stream: only their order is promised, nothing is collected, and a key may have more
    /// values than memory holds. Values with equal sort keys come in no promised order. A reduce-side join puts
    /// the row it joins against first:
    ///
    /// ```swift
    /// let join = Job<String, Row>("join") { line, emit in … } reduce: { id, rows in
    ///     var rows = rows.makeIterator()
    ///     guard let product = rows.next(), product.isProduct else { return "" }
    ///     …   // every later row is an order of `product`
    /// }
    /// .sortingValues { row in row.isProduct ? 0 : 1 }
    /// ```
    ///
    /// Sort keys are ``RecordCodable``, so they order as their type does (a `Codable` struct field by field, in
    /// declaration order). A combiner, if any, folds only values whose sort keys are equal. Partitions are chosen
    /// from the key alone (by the partitioner, the key's hash, or a total-order job's key ranges).
    /// - Parameter sortKey: the value's sort key; called once per emitted pair, on the map side.
    public func sortingValues<SortKey: RecordCodable>(by sortKey: @escaping @Sendable (Value) -> SortKey) -> Job {
        var job = self
        job.valueOrder = { value, writer in sortKey(value).encode(to: &writer) }
        return job
    }
}
