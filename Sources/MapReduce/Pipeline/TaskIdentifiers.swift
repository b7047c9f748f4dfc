/// What a kind of identifier wraps and how it reads in messages.
public protocol IdentifierKind: Sendable {
    /// The wrapped value's type.
    associatedtype RawValue: Hashable & Codable & Sendable & Comparable
    /// The word before the value in messages, for example `"map"` in `map 3`.
    static var label: String { get }
}

/// A typed identifier: a map task number cannot be passed where a partition or an attempt is expected.
/// Encodes as its bare raw value.
public struct Identifier<Kind: IdentifierKind>: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    /// The wrapped value.
    public let rawValue: Kind.RawValue

    /// Wraps `rawValue`.
    public init(_ rawValue: Kind.RawValue) { self.rawValue = rawValue }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(Kind.RawValue.self) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var description: String { "\(Kind.label) \(rawValue)" }
}

/// The kind of ``MapTaskID``.
public enum MapTaskKind: IdentifierKind {
    public typealias RawValue = Int
    public static var label: String { "map" }
}

/// The kind of ``ReduceTaskID``.
public enum ReduceTaskKind: IdentifierKind {
    public typealias RawValue = Int
    public static var label: String { "reduce" }
}

/// The kind of ``AttemptID``.
public enum AttemptKind: IdentifierKind {
    public typealias RawValue = UInt64
    public static var label: String { "attempt" }
}

/// The kind of ``WorkerID``.
public enum WorkerKind: IdentifierKind {
    public typealias RawValue = String
    public static var label: String { "worker" }
}

/// A map task's number, `0..<M`.
public typealias MapTaskID = Identifier<MapTaskKind>
/// A reduce task's number, which is also its partition, `0..<R`.
public typealias ReduceTaskID = Identifier<ReduceTaskKind>
/// One execution of one task, numbered across the whole job and never reused.
public typealias AttemptID = Identifier<AttemptKind>
/// A worker process, named by itself (host, process id and a random suffix).
public typealias WorkerID = Identifier<WorkerKind>

/// A map or a reduce task.
public enum TaskID: Hashable, Codable, Sendable, CustomStringConvertible {
    case map(MapTaskID)
    case reduce(ReduceTaskID)

    public var description: String {
        switch self {
        case .map(let id): id.description
        case .reduce(let id): id.description
        }
    }
}
