import Synchronization

/// `struct kmem_cache_node` (mm/slab.h): a cache's per-node partial list and slab counts.
///
/// Synchronisation: `partialHead` and `partialTail`, and the list links in the slabs'
/// `PageFrame`s, are guarded by `listLock` (`&n->list_lock`, instrumented for lock_stat); `nrPartial`, `nrSlabs`
/// and `totalObjects` are atomics (`atomic_long_t` in the kernel) read without the lock by slabinfo.
/// That is why the class is `@unchecked Sendable`.
final class KMemCacheNode: @unchecked Sendable {
    let node: Int
    let listLock: SpinLock
    /// Head and tail PFN of the partial list (`n->partial`), `KMemCacheCPU.noSlab` when empty.
    var partialHead = KMemCacheCPU.noSlab
    var partialTail = KMemCacheCPU.noSlab
    /// `n->nr_partial`: changed under `listLock`, read without it where the kernel does (`data_race`).
    let nrPartial = Atomic<Int>(0)
    /// `n->nr_slabs`.
    let nrSlabs = Atomic<Int>(0)
    /// `n->total_objects`.
    let totalObjects = Atomic<Int>(0)

    init(node: Int, listLock: SpinLock) {
        self.node = node
        self.listLock = listLock
    }
}
