import Synchronization

/// `--trace-all`: the runner's allocation and free calls as slices (the `kmem_cache_alloc`/`kfree` and
/// `mm_page_alloc`/`mm_page_free` tracepoints), for short runs. They are many (a larson CPU makes
/// millions a second), so they are kept apart from the other events: in a buffer per CPU side, so the
/// CPUs do not serialise on one lock, within `fastPathCapacity` of their own. Once that is full, later
/// ones are counted and left out while the rarer events (slow paths, reclaim, compaction, interrupts)
/// keep being recorded, and `kmsim` says from when on the run's clock the fast paths are missing.
extension TraceEventLog {
    /// One CPU side's `--trace-all` events. Synchronisation: `events` is a mutex, taken by the side that
    /// records (its own serial executor, so uncontended) and by `snapshot()` after the run. Padded past
    /// 128 bytes so two sides' buffers never share a cache line.
    final class FastPathBuffer: Sendable {
        let events = Mutex<[Event]>([])
        private let cacheLinePadding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                                       UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    /// An allocation or free call of `api` that took `nanoseconds` and just returned, on `track`; the
    /// argument is the size (bytes, or the order for alloc_pages), or the freed object's address.
    func recordFastPath(_ kind: Kind, api: API, track: Track, nanoseconds: Int64, argument: Int64) {
        let end = now()
        let start = max(0, end - max(0, nanoseconds))
        append(Event(kind: kind, track: track, start: start, duration: end - start, argument: argument, flow: 0,
                     detail: api.rawValue))
    }

    /// Keeps a `--trace-all` event in its side's buffer while the bound allows; counts it otherwise, noting
    /// when the first was left out.
    func appendFastPath(_ event: Event) {
        let index = fastPathRecorded.wrappingAdd(1, ordering: .relaxed).oldValue
        let capacity = fastPathCapacityLimit.load(ordering: .relaxed)
        guard index < capacity else {
            if index == capacity { firstFastPathDrop.store(event.start, ordering: .relaxed) }
            return
        }
        let slot = switch event.track {
        case .process(let cpu) where cpu >= 0 && cpu < cpuCount: cpu
        case .irq(let cpu) where cpu >= 0 && cpu < cpuCount: cpuCount + cpu
        default: 2 * cpuCount
        }
        fastPathBuffers[slot].events.withLock { $0.append(event) }
    }

    /// `--trace-all` events left out at `fastPathCapacity`.
    var fastPathDropped: Int {
        max(0, fastPathRecorded.load(ordering: .relaxed) - fastPathCapacityLimit.load(ordering: .relaxed))
    }
}
