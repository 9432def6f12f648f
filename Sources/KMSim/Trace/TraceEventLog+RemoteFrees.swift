import Synchronization

/// `--trace`'s flows from an object handed to another CPU to the free of that object there (the
/// `kfree()` of larson's or xmalloc's remote half, the `__slab_free()` or remote `free_unref_page()`
/// path): one hand-over in `remoteFreeSampling` is sampled, its flow id kept beside the object's
/// address until the target CPU frees it. The object itself travels unchanged, so tracing adds nothing
/// to the rings; with tracing off the cost is the `isEnabled` load.
extension TraceEventLog {
    /// One hand-over traced in this many (per log, counted across CPUs).
    static let remoteFreeSampling: UInt64 = 256

    /// A hand-over of the object at `address` from `track` to CPU `target`: every
    /// `remoteFreeSampling`-th one starts a flow at an instant on `track`.
    func recordHandOver(address: UInt, track: Track, target: Int) {
        guard handOvers.wrappingAdd(1, ordering: .relaxed).oldValue % Self.remoteFreeSampling == 0 else { return }
        let flow = newFlow()
        pendingRemoteFrees.withLock { $0[address] = flow }
        recordInstant(.remoteHandOver, track: track, argument: Int64(target), flow: flow)
    }

    /// The free of a handed-over object on `track`: ends the object's flow when its hand-over was sampled.
    func recordRemoteFree(address: UInt, track: Track) {
        guard let flow = pendingRemoteFrees.withLock({ $0.removeValue(forKey: address) }) else { return }
        recordInstant(.remoteFree, track: track, flow: flow)
    }
}
