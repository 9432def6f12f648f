import Synchronization

/// The simulated tasks that own user memory (the kernel's task list as `for_each_process()` walks it
/// in `select_bad_process()`), with their footprint counters.
///
/// Registration, exit and victim selection take `registry` (an `OrderedMutex`, like the kernel's
/// `tasklist_lock`/RCU walk: not a hot path). The footprint counters move on every page a task maps
/// or loses and are relaxed atomics per task slot (`mm->rss_stat`, itself a per-CPU counter), so the
/// memory paths never take the registry lock.
public final class TaskTable: Sendable {
    enum Counter: Int, CaseIterable {
        case anonRSS, fileRSS, swapEntries, kernelPages, totalVM
    }

    struct Entry {
        var pid: Int32
        var comm: String
        var oomScoreAdj: Int
        var oomVictim = false
        var regions: [MemoryRegion] = []
        var onKill: OOMKillHook?
    }

    struct Registry {
        var entries: [Int: Entry] = [:]
        var slotOfPID: [Int32: Int] = [:]
        var freeSlots: [Int] = []
    }

    /// The most tasks that may own memory at once.
    public let capacity: Int
    let counters: AtomicCounterArray
    let registry: OrderedMutex<Registry>

    init(capacity: Int) {
        self.capacity = capacity
        counters = AtomicCounterArray(count: capacity * Counter.allCases.count)
        registry = OrderedMutex(Registry(freeSlots: Array((0..<capacity).reversed())))
    }

    @inline(__always)
    func add(_ counter: Counter, _ delta: Int, slot: Int) {
        counters.add(slot * Counter.allCases.count + counter.rawValue, delta)
    }

    func value(_ counter: Counter, slot: Int) -> Int {
        counters[slot * Counter.allCases.count + counter.rawValue]
    }

    /// Registers a task; nil when `pid` is already registered or the table is full.
    func register(pid: Int32, comm: String, oomScoreAdj: Int, onKill: OOMKillHook?) -> Int? {
        registry.withLock { registry -> Int? in
            guard registry.slotOfPID[pid] == nil, let slot = registry.freeSlots.popLast() else { return nil }
            for counter in Counter.allCases {
                counters[slot * Counter.allCases.count + counter.rawValue] = 0
            }
            registry.entries[slot] = Entry(pid: pid, comm: comm, oomScoreAdj: min(max(oomScoreAdj, -1000), 1000),
                                           onKill: onKill)
            registry.slotOfPID[pid] = slot
            return slot
        }
    }

    func slot(of pid: Int32) -> Int? { registry.withLock { $0.slotOfPID[pid] } }

    func attach(_ region: MemoryRegion, slot: Int) {
        registry.withLock { $0.entries[slot]?.regions.append(region) }
        add(.totalVM, region.pageCount, slot: slot)
    }

    /// Removes a task, returning its regions and hook for the caller to tear down.
    func unregister(slot: Int) -> Entry? {
        registry.withLock { registry -> Entry? in
            guard let entry = registry.entries.removeValue(forKey: slot) else { return nil }
            registry.slotOfPID[entry.pid] = nil
            registry.freeSlots.append(slot)
            return entry
        }
    }

    /// The task in `slot` as the OOM killer sees it.
    func task(slot: Int, entry: Entry) -> SimulatedTask {
        SimulatedTask(pid: entry.pid, comm: entry.comm, oomScoreAdj: entry.oomScoreAdj,
                      anonRSS: value(.anonRSS, slot: slot), fileRSS: value(.fileRSS, slot: slot),
                      swapEntries: value(.swapEntries, slot: slot), kernelPages: value(.kernelPages, slot: slot),
                      totalVM: value(.totalVM, slot: slot), oomVictim: entry.oomVictim)
    }

    /// Every registered task, by pid.
    public var tasks: [SimulatedTask] {
        let entries = registry.withLock { $0.entries }
        return entries.map { task(slot: $0.key, entry: $0.value) }.sorted { $0.pid < $1.pid }
    }

    /// One task by pid.
    public func task(pid: Int32) -> SimulatedTask? {
        guard let (slot, entry) = registry.withLock({ registry -> (Int, Entry)? in
            guard let slot = registry.slotOfPID[pid], let entry = registry.entries[slot] else { return nil }
            return (slot, entry)
        }) else { return nil }
        return task(slot: slot, entry: entry)
    }

    /// Marks a task as OOM victim (`mark_oom_victim()`); false when it is gone or already marked.
    func markVictim(slot: Int) -> Bool {
        registry.withLock { registry -> Bool in
            guard registry.entries[slot]?.oomVictim == false else { return false }
            registry.entries[slot]?.oomVictim = true
            return true
        }
    }

    /// A snapshot of every entry with its slot, for victim selection.
    func snapshot() -> [(slot: Int, task: SimulatedTask)] {
        let entries = registry.withLock { $0.entries }
        return entries.map { (slot: $0.key, task: task(slot: $0.key, entry: $0.value)) }.sorted { $0.task.pid < $1.task.pid }
    }
}
