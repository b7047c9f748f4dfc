public import MapReduce

/// A category and a day: the key of ``salesByCategoryDay``, so its output is in category, then day order.
public struct CategoryDay: Codable, RecordCodable, Hashable, Sendable {
    /// The product category.
    public var category: String
    /// The day, `YYYY-MM-DD`.
    public var day: String
}

/// An order line's contribution to its category and day.
public struct OrderLineSale: Codable, RecordCodable, Hashable, Sendable {
    /// The customer.
    public var customer: String
    /// The order's id.
    public var orderID: String
    /// Revenue in cents.
    public var revenueCents: Int
}

/// One output row of the sales ETL example.
public struct CategoryDaySales: Codable, Hashable, Sendable {
    /// The product category.
    public var category: String
    /// The day, `YYYY-MM-DD`.
    public var day: String
    /// Revenue, a decimal with two places.
    public var revenue: String
    /// Distinct orders with a line in the category that day.
    public var orders: Int
    /// Distinct customers who ordered in the category that day.
    public var customers: Int
}

/// Stage 2 of the sales ETL example: revenue, order count and distinct customers per category per day, as CSV
/// with a header, from ``salesJoin``'s output (CSV without a header:
/// `category,day,customer,order_id,revenue_cents`). A row that does not have those five fields is counted under
/// `malformed joined rows` and dropped.
public let salesByCategoryDay = Job<CategoryDay, OrderLineSale>(
    "sales-by-category-day", input: .csv(CSVFormat(header: false)), output: .csv(header: true)
) { record, emit in
    guard record.count == 5, let cents = Int(record.fields[4]) else { return Counters.increment("malformed joined rows") }
    emit(
        CategoryDay(category: record.fields[0], day: record.fields[1]),
        OrderLineSale(customer: record.fields[2], orderID: record.fields[3], revenueCents: cents))
} reduce: { key, sales, output in
    var revenue = 0
    var orders = Set<String>()
    var customers = Set<String>()
    for sale in sales {
        revenue += sale.revenueCents
        orders.insert(sale.orderID)
        customers.insert(sale.customer)
    }
    try output.write(
        CategoryDaySales(category: key.category, day: key.day, revenue: SalesFields.amount(cents: revenue), orders: orders.count, customers: customers.count))
}
