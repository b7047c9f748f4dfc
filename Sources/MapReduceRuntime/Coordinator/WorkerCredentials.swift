import MapReduce
/// The credentials a coordinator issues to the workers that register, and checks on every later request.
///
/// A credential is `<number>.<64 hex digits>`: the registration's number, and 32 bytes from the system's secure
/// random source. It is shown only to the worker that registered (never in status, logs or errors), and it is
/// compared in constant time. Registrations are bounded, and so are worker names.
struct WorkerCredentials: Sendable {
    /// The most registrations a coordinator accepts over its life.
    let limit: Int
    private var issued: [(worker: WorkerID, secret: [UInt8])] = []

    /// The longest worker name accepted, in UTF-8 bytes.
    static let longestName = 128

    init(limit: Int) { self.limit = limit }

    /// Registers a worker called `name`, returning its coordinator-issued identity and credential.
    mutating func register(name: String) throws(SchedulerError) -> (worker: WorkerID, credential: String) {
        guard (1...Self.longestName).contains(name.utf8.count), name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw SchedulerError(
                code: .invalidReport, message: "a worker name must be 1 to \(Self.longestName) bytes of printable characters")
        }
        guard issued.count < limit else {
            throw SchedulerError(
                code: .tooManyRegistrations, message: "this coordinator accepted its limit of \(limit) registrations; start a new one")
        }
        var random = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let worker = WorkerID("\(name)#\(issued.count)")
        issued.append((worker, secret))
        return (worker, "\(issued.count - 1).\(Self.hex(secret))")
    }

    /// The worker `credential` was issued to, or `nil` if it was never issued (by this coordinator).
    func worker(for credential: Substring) -> WorkerID? {
        guard let dot = credential.firstIndex(of: "."), let number = Int(credential[..<dot]), issued.indices.contains(number) else {
            return nil
        }
        let given = Array(credential[credential.index(after: dot)...].utf8)
        let expected = Array(Self.hex(issued[number].secret).utf8)
        return ConstantTime.equal(given, expected) ? issued[number].worker : nil
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }
}

/// Comparisons whose time does not depend on where two secrets differ.
enum ConstantTime {
    /// Whether `a` and `b` are equal, looking at every byte of the longer whatever they hold.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
