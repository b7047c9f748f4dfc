import MapReduce
/// The credentials a coordinator issues to the workers that register, and checks on every later request.
///
/// A credential is `<number>.<64 hex digits>`: the registration's number, and 32 bytes from the system's secure
/// random source. It is shown only to the worker that registered (never in status, logs or errors), and it is
/// compared in constant time. The workers registered at once are bounded, and so are worker names: a worker that
/// left or was excluded gives its place back (``release(_:)``; its credential still gets its answers), and one
/// that was lost is forgotten (``revoke(_:)``), so registrations that went nowhere (10,000 from one client) hold
/// their places only until their leases run out, and real workers can register again.
struct WorkerCredentials: Sendable {
    /// The most workers registered at once.
    let limit: Int
    /// The most registrations over the coordinator's life (what it remembers stays bounded).
    static let lifetimeLimit = 1_000_000
    /// The credentials in force, by registration number, and whether each holds one of the `limit` places.
    private var issued: [Int: (worker: WorkerID, secret: [UInt8], holdsPlace: Bool)] = [:]
    /// The registration number of each worker in ``issued``.
    private var numbers: [WorkerID: Int] = [:]
    /// Registrations over the coordinator's life: the next registration's number.
    private var registrations = 0
    /// The places held.
    private var placesHeld = 0

    /// The longest worker name accepted, in UTF-8 bytes.
    static let longestName = 128

    init(limit: Int) { self.limit = limit }

    /// Registers a worker called `name`, returning its coordinator-issued identity and credential.
    mutating func register(name: String) throws(SchedulerError) -> (worker: WorkerID, credential: String) {
        guard (1...Self.longestName).contains(name.utf8.count), name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw SchedulerError(
                code: .invalidReport, message: "a worker name must be 1 to \(Self.longestName) bytes of printable characters")
        }
        guard placesHeld < limit, registrations < Self.lifetimeLimit else {
            throw SchedulerError(
                code: .tooManyRegistrations,
                message: "this coordinator has its limit of \(limit) workers registered; retry once some have left or their leases have run out")
        }
        let secret = RandomToken.bytes(32)
        let number = registrations
        registrations += 1
        let worker = WorkerID("\(name)#\(number)")
        issued[number] = (worker, secret, true)
        numbers[worker] = number
        placesHeld += 1
        return (worker, "\(number).\(RandomToken.hex(secret))")
    }

    /// Gives `worker`'s place to the next registration (it left, or was excluded); its credential still works,
    /// so that its last requests are answered (told to exit, or why it is excluded).
    mutating func release(_ worker: WorkerID) {
        guard let number = numbers[worker], issued[number]?.holdsPlace == true else { return }
        issued[number]?.holdsPlace = false
        placesHeld -= 1
    }

    /// Forgets `worker` (it was lost): its credential is refused from now on (it registers again if it was only
    /// slow), and its place goes to the next registration.
    mutating func revoke(_ worker: WorkerID) {
        release(worker)
        guard let number = numbers.removeValue(forKey: worker) else { return }
        issued.removeValue(forKey: number)
    }

    /// Whether `worker`'s credential is in force (it was not revoked).
    func knows(_ worker: WorkerID) -> Bool { numbers[worker] != nil }

    /// The worker `credential` was issued to, or `nil` if it was never issued (by this coordinator).
    func worker(for credential: Substring) -> WorkerID? {
        guard let dot = credential.firstIndex(of: "."), let number = Int(credential[..<dot]), let entry = issued[number] else { return nil }
        let given = Array(credential[credential.index(after: dot)...].utf8)
        let expected = Array(RandomToken.hex(entry.secret).utf8)
        return ConstantTime.equal(given, expected) ? entry.worker : nil
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
