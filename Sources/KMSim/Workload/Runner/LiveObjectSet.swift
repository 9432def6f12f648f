import CKMSimShims

/// The objects one allocator (a task, or a CPU's received interrupt objects) keeps alive, and the rule
/// that ends their lifetime (`Lifetime` of the workload): a FIFO of the last N allocations
/// (threadtest, xmalloc), a time-ordered FIFO, larson's slot array with random replacement, or a
/// never-freed leak.
///
/// Flat unsafe storage owned by one serial context (one task, or one CPU's process side), so admitting
/// an object is a few loads and stores; only the time and forever kinds grow (by doubling, amortised).
/// Not `Sendable`: it never leaves its owner.
struct LiveObjectSet {
    enum Policy {
        case last(Int)
        case time(nanoseconds: UInt64)
        case slots(Int)
        case forever
    }

    let policy: Policy
    private var storage: UnsafeMutablePointer<LiveObject>
    /// Time lifetimes: when each object in `storage` is due (monotonic nanoseconds), same indices.
    private var dues: UnsafeMutablePointer<UInt64>?
    private var capacity: Int
    /// FIFO kinds: index of the oldest object; `count` objects follow it (modulo `capacity`).
    private var head = 0
    /// Slots: the slot the next admitted object replaces, chosen one admission ahead so its cache line is
    /// prefetched while the allocator runs (5 000 slots per larson task miss the cache); -1 before the
    /// first choice.
    private var nextSlot = -1
    private(set) var count = 0

    init(_ lifetime: Lifetime) {
        switch lifetime {
        case .operations(let n): policy = .last(max(n, 0))
        case .time(let seconds): policy = .time(nanoseconds: nanoseconds(seconds: seconds))
        case .slots(let n): policy = .slots(max(n, 1))
        case .forever: policy = .forever
        }
        switch policy {
        case .last(let n): capacity = max(n, 1)
        case .slots(let n): capacity = n
        case .time, .forever: capacity = 1024
        }
        storage = .allocate(capacity: capacity)
        storage.initialize(repeating: .empty, count: capacity)
        if case .time = policy {
            dues = .allocate(capacity: capacity)
            dues?.initialize(repeating: 0, count: capacity)
        }
    }

    /// Whether objects expire with time (`popExpired` has work to do).
    var isTimed: Bool { dues != nil }

    /// Releases the storage (not the objects: the caller frees or abandons them first).
    func deallocate() {
        storage.deallocate()
        dues?.deallocate()
    }

    /// Keeps `object`; returns an object whose lifetime has ended because of it (the oldest of the last
    /// N, the slot's previous occupant), or `object` itself for a lifetime of 0 operations.
    @inline(__always)
    mutating func admit(_ object: LiveObject, now: UInt64, using generator: inout SplitMix64) -> LiveObject? {
        switch policy {
        case .last(let n):
            if n == 0 { return object }
            if count == n {
                let oldest = storage[head]
                storage[head] = object
                head = head + 1 == capacity ? 0 : head + 1
                return oldest
            }
            storage[(head + count) % capacity] = object
            count += 1
            return nil
        case .slots(let n):
            let index = nextSlot >= 0 ? nextSlot : Int(generator.next(below: UInt64(n)))
            nextSlot = Int(generator.next(below: UInt64(n)))
            kmsim_prefetch(storage + nextSlot)
            let old = storage[index]
            storage[index] = object
            if old.isEmpty {
                count += 1
                return nil
            }
            return old
        case .time(let lifetime):
            append(object, due: now &+ lifetime)
            return nil
        case .forever:
            append(object, due: 0)
            return nil
        }
    }

    /// The oldest object of a time lifetime that is due at `now`, removed; nil when none is due.
    @inline(__always)
    mutating func popExpired(now: UInt64) -> LiveObject? {
        guard let dues, count > 0, dues[head] <= now else { return nil }
        let oldest = storage[head]
        head = head + 1 == capacity ? 0 : head + 1
        count -= 1
        return oldest
    }

    /// Removes and hands over every object held (end of the run).
    mutating func removeAll(_ body: (LiveObject) -> Void) {
        switch policy {
        case .slots(let n):
            for index in 0..<n where !storage[index].isEmpty {
                body(storage[index])
                storage[index] = .empty
            }
        case .last, .time, .forever:
            for offset in 0..<count { body(storage[(head + offset) % capacity]) }
            head = 0
        }
        count = 0
    }

    /// Removes every object held and returns them, oldest first (a phased task's free phase, or its
    /// hand-in before a shuffled one).
    mutating func takeAll() -> [LiveObject] {
        var all: [LiveObject] = []
        all.reserveCapacity(count)
        removeAll { all.append($0) }
        return all
    }

    private mutating func append(_ object: LiveObject, due: UInt64) {
        if count == capacity { grow() }
        let index = (head + count) % capacity
        storage[index] = object
        dues?[index] = due
        count += 1
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<LiveObject>.allocate(capacity: capacity * 2)
        for offset in 0..<count { (bigger + offset).initialize(to: storage[(head + offset) % capacity]) }
        (bigger + count).initialize(repeating: .empty, count: capacity * 2 - count)
        storage.deallocate()
        storage = bigger
        if let dues {
            let biggerDues = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity * 2)
            for offset in 0..<count { (biggerDues + offset).initialize(to: dues[(head + offset) % capacity]) }
            (biggerDues + count).initialize(repeating: 0, count: capacity * 2 - count)
            dues.deallocate()
            self.dues = biggerDues
        }
        capacity *= 2
        head = 0
    }
}
