public import MapReduce

/// A category and a day: the key of ``salesETL``'s last step, so its output is in category, then day order.
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

/// The sales ETL example, one job of two steps: revenue, order count and distinct customers per product category
/// per day, as CSV with a header (`category,day,revenue,orders,customers`), from raw product and order CSV files.
///
/// Step 1, `join-orders-with-products`, is ``salesJoin``'s join and cleaning: it emits each kept order line under
/// its category and day. Step 2 totals them. The joined lines pass between the steps as intermediate files, never
/// as CSV text.
public let salesETL = Job<CategoryDay, OrderLineSale>("sales-etl", after: joinOrdersWithProducts, output: .csv(header: true)) { key, sale, emit in
    emit(key, sale)
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

/// The first step of ``salesETL``: ``salesJoin``'s join, emitting each kept order line under its category and day.
let joinOrdersWithProducts = Step<String, SalesJoinValue, CategoryDay, OrderLineSale>(
    "join-orders-with-products", input: .csv(), map: SalesJoin.map
) { _, rows, emit in
    try SalesJoin.join(rows) { line in
        emit(
            CategoryDay(category: line.category, day: line.day), OrderLineSale(customer: line.customer, orderID: line.orderID, revenueCents: line.revenueCents))
    }
}
.sortingValues(by: SalesJoin.sortKey)
