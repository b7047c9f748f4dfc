public import MapReduce

/// A row on either side of the sales join, keyed by product id: a product (category and name) or an order line.
public struct SalesJoinValue: Codable, RecordCodable, Hashable, Sendable {
    /// Whether this is the product's row (else an order line).
    public var isProduct: Bool
    /// The product's category.
    public var category: String = ""
    /// The product's name.
    public var name: String = ""
    /// The order's id.
    public var orderID: String = ""
    /// The customer who placed the order.
    public var customer: String = ""
    /// Units ordered.
    public var quantity: Int = 0
    /// Price per unit, in cents.
    public var unitPriceCents: Int = 0
    /// The order's day, `YYYY-MM-DD` (UTC).
    public var day: String = ""
}

/// One order line joined with its product: what ``salesJoin`` writes, one CSV row each (no header).
public struct JoinedOrderLine: Codable, Hashable, Sendable {
    /// The product's category.
    public var category: String
    /// The order's day, `YYYY-MM-DD`.
    public var day: String
    /// The customer.
    public var customer: String
    /// The order's id.
    public var orderID: String
    /// Quantity times unit price, in cents.
    public var revenueCents: Int
}

/// A reduce-side join of order lines with products, cleaned: the first step of ``salesETL``, and a job of its own
/// that writes the joined lines.
///
/// Input: CSV files with headers, either products (`product_id,category,name`) or order lines
/// (`order_id,customer,product_id,quantity,unit_price,timestamp`), told apart by their header. Cleaning:
/// - a row with a missing or empty field, a quantity that is not a positive integer, a price that is not a
///   decimal with at most two places, or a timestamp that is not `YYYY-MM-DDTHH:MM:SSZ` is counted under
///   `malformed order rows` (or `malformed product rows`) and dropped;
/// - an order line repeated with the same order id and product id counts once (`duplicate order rows`; if the
///   copies differ, the smallest by day, customer, quantity and price wins);
/// - an order line whose product is not listed is counted (`order rows with an unknown product`) and dropped; a
///   product listed twice keeps its smallest (category, name) (`duplicate product rows`).
///
/// Output: one ``JoinedOrderLine`` per kept order line, CSV without a header, in order id order (by UTF-8 bytes)
/// per product.
///
/// The job sorts each product's rows (``Job/sortingValues(by:)``): its product rows first, then its order lines
/// by id, so the copies of a repeated line are adjacent. The reduce holds one product row and one order line,
/// however many order lines a product has.
public let salesJoin = Job<String, SalesJoinValue>("sales-join", input: .csv(), output: .csv(header: false), map: SalesJoin.map) { _, rows, output in
    try SalesJoin.join(rows) { try output.write($0) }
}
.sortingValues(by: SalesJoin.sortKey)

/// The join's map and reduce functions, shared by ``salesJoin`` and the first step of ``salesETL``.
enum SalesJoin {
    /// Keys each product row and order line by product id, counting and dropping malformed ones.
    @Sendable static func map(_ record: CSVRecord, _ emit: Emitter<String, SalesJoinValue>) throws {
        if record.has("category") {
            guard let id = nonEmpty(try? record.field("product_id")), let category = nonEmpty(try? record.field("category")),
                let name = nonEmpty(try? record.field("name")), record.count == 3
            else { return Counters.increment("malformed product rows") }
            emit(id, SalesJoinValue(isProduct: true, category: category, name: name))
            return
        }
        guard record.count == 6, let order = nonEmpty(try? record.field("order_id")), let customer = nonEmpty(try? record.field("customer")),
            let product = nonEmpty(try? record.field("product_id")), let quantity = Int(try record.field("quantity")), quantity > 0,
            let price = SalesFields.cents(try record.field("unit_price")), let day = SalesFields.day(ofTimestamp: try record.field("timestamp"))
        else { return Counters.increment("malformed order rows") }
        emit(product, SalesJoinValue(isProduct: false, orderID: order, customer: customer, quantity: quantity, unitPriceCents: price, day: day))
    }

    /// A product's rows first (`nil` sorts first), then its order lines by id.
    @Sendable static func sortKey(_ row: SalesJoinValue) -> String? { row.isProduct ? nil : row.orderID }

    /// Joins one product's rows, sorted by ``sortKey(_:)``, calling `write` with each order line kept.
    static func join(_ rows: Values<SalesJoinValue>, write: (JoinedOrderLine) throws -> Void) throws {
        var rows = rows.makeIterator()
        var row = rows.next()
        var product: SalesJoinValue? = nil
        var productRows: Int64 = 0
        while let current = row, current.isProduct {
            productRows += 1
            if product.map({ (current.category, current.name) < ($0.category, $0.name) }) ?? true { product = current }
            row = rows.next()
        }
        if productRows > 1 { Counters.increment("duplicate product rows", by: productRows - 1) }
        var unknownProductOrders: Int64 = 0
        func join(_ order: SalesJoinValue) throws {
            guard let product else {
                unknownProductOrders += 1
                return
            }
            try write(
                JoinedOrderLine(
                    category: product.category, day: order.day, customer: order.customer, orderID: order.orderID,
                    revenueCents: order.quantity * order.unitPriceCents))
        }
        // The smallest copy of the current order id, joined when the next id starts.
        var kept: SalesJoinValue? = nil
        while let order = row {
            row = rows.next()
            guard let current = kept, order.orderID.utf8.elementsEqual(current.orderID.utf8) else {
                if let kept { try join(kept) }
                kept = order
                continue
            }
            Counters.increment("duplicate order rows")
            if (order.day, order.customer, order.quantity, order.unitPriceCents) < (current.day, current.customer, current.quantity, current.unitPriceCents) {
                kept = order
            }
        }
        if let kept { try join(kept) }
        if unknownProductOrders > 0 { Counters.increment("order rows with an unknown product", by: unknownProductOrders) }
    }
}

private func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
}
