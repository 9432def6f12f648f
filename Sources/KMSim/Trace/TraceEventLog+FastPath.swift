/// `--trace-all`: the runner's allocation and free calls as slices (the `kmem_cache_alloc`/`kfree` and
/// `mm_page_alloc`/`mm_page_free` tracepoints), for short runs. They are many (a larson CPU makes
/// millions a second), so they are kept within `fastPathCapacity` of their own: once it is full, later
/// ones are counted and left out while the rarer events (slow paths, reclaim, compaction, interrupts)
/// keep being recorded, and `kmsim` says from when on the run's clock the fast paths are missing.
extension TraceEventLog {
    /// An allocation or free call of `api` that took `nanoseconds` and just returned, on `track`; the
    /// argument is the size (bytes, or the order for alloc_pages).
    func recordFastPath(_ kind: Kind, api: API, track: Track, nanoseconds: Int64, argument: Int64) {
        let end = now()
        let start = max(0, end - max(0, nanoseconds))
        append(Event(kind: kind, track: track, start: start, duration: end - start, argument: argument, flow: 0,
                     detail: api.rawValue))
    }
}
