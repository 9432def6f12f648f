/// One entry of the virtual clock's cost table: a path of the allocators that takes simulated time.
///
/// A case is an index into `CostTable`, so a charge on a hot path is an array load and an add, never a
/// string or dictionary lookup. Every case has a default in nanoseconds taken from a published
/// single-CPU measurement (`source`), never fitted to multi-CPU results: those are how the model is judged.
public enum VirtualCost: Int, CaseIterable, Sendable {
    /// SLUB fast path, `slab_alloc_node()` served from the CPU's freelist by `this_cpu_cmpxchg_double`.
    case slubAllocFast
    /// SLUB fast path, `do_slab_free()` onto the CPU's own slab.
    case slubFreeFast
    /// `___slab_alloc()` taking the CPU slab's freelist or a CPU partial slab (`local_lock` held).
    case slubRefillCPU
    /// `get_partial_node()`: one slab taken from the node partial list under `&n->list_lock`.
    case slubNodePartial
    /// `allocate_slab()`: setting up a new slab's freelist (the page allocation is charged separately).
    case slubNewSlab
    /// `__slab_free()`: a free onto a slab that is not the CPU's (cmpxchg on the slab's freelist).
    case slubFreeSlow
    /// `rmqueue_pcplist()` / `free_unref_page_commit()`: one page taken from or put on a per-CPU list.
    case pcpHit
    /// One page moved between the buddy lists and a per-CPU list under `&zone->lock`
    /// (`rmqueue_bulk()`, `free_pcppages_bulk()`).
    case pageMovedBuddyPCP
    /// `expand()` or one merge step of `__free_one_page()`: per order split or merged.
    case buddySplitMergePerOrder
    /// `__rmqueue_smallest()` / `__free_one_page()` base cost of a buddy-list allocation or free.
    case buddyAllocFree
    /// Clearing memory for `__GFP_ZERO` / `init_on_alloc`, per KiB.
    case zeroPerKiB
    /// `vmap_pages_range()`: one PTE set up.
    case pageTableSetupPerPage
    /// A TLB flush IPI, received and handled by one CPU (`flush_tlb_kernel_range()`).
    case tlbFlushIPI
    /// An uncontended locked compare-and-swap: a spin lock acquired with its line already local.
    case lockAcquire
    /// A cache line moved between two CPUs at SLIT distance 10 (same node); scaled by distance / 10.
    case lineTransfer
    /// `vmalloc()` + `vfree()` bookkeeping of one area outside page allocation and page tables.
    case vmallocArea
    /// `get_page_from_freelist()` finding no zone of the zonelist above its watermark: the walk's
    /// counter and watermark reads, charged once per failed walk (a success charges its own path).
    case freelistWalkFailed
    /// The runner's own work between two allocator calls (drawing the next size, keeping the object).
    case runnerOperation

    /// The name used in the workload's `costs:` section and by `kmsim costs`.
    public var key: String {
        switch self {
        case .slubAllocFast: "slubAllocFast"
        case .slubFreeFast: "slubFreeFast"
        case .slubRefillCPU: "slubRefillCPU"
        case .slubNodePartial: "slubNodePartial"
        case .slubNewSlab: "slubNewSlab"
        case .slubFreeSlow: "slubFreeSlow"
        case .pcpHit: "pcpHit"
        case .pageMovedBuddyPCP: "pageMovedBuddyPCP"
        case .buddySplitMergePerOrder: "buddySplitMergePerOrder"
        case .buddyAllocFree: "buddyAllocFree"
        case .zeroPerKiB: "zeroPerKiB"
        case .pageTableSetupPerPage: "pageTableSetupPerPage"
        case .tlbFlushIPI: "tlbFlushIPI"
        case .lockAcquire: "lockAcquire"
        case .lineTransfer: "lineTransfer"
        case .vmallocArea: "vmallocArea"
        case .freelistWalkFailed: "freelistWalkFailed"
        case .runnerOperation: "runnerOperation"
        }
    }

    /// The default in nanoseconds.
    public var defaultNanoseconds: Int64 {
        switch self {
        case .slubAllocFast: 5
        case .slubFreeFast: 5
        case .slubRefillCPU: 20
        case .slubNodePartial: 40
        case .slubNewSlab: 150
        case .slubFreeSlow: 30
        case .pcpHit: 50
        case .pageMovedBuddyPCP: 45
        case .buddySplitMergePerOrder: 10
        case .buddyAllocFree: 60
        case .zeroPerKiB: 50
        case .pageTableSetupPerPage: 20
        case .tlbFlushIPI: 1000
        case .lockAcquire: 5
        case .lineTransfer: 70
        case .vmallocArea: 400
        case .freelistWalkFailed: 30
        case .runnerOperation: 0
        }
    }

    /// Where the default comes from (all single-CPU or per-CPU-local figures).
    public var source: String {
        switch self {
        case .slubAllocFast, .slubFreeFast:
            "kmem_cache_alloc+free pair 43 cycles, 10.8 ns, i7-4790K (J. D. Brouer, \"slub: bulk alloc and free\", linux-mm, June 2015); half each"
        case .slubRefillCPU:
            "SLUB bulk alloc+free 17-89 cycles per object for bulk sizes 2-128 (same series): the per-object upper end, ~20 ns"
        case .slubNodePartial:
            "a list_lock'ed partial-list take: one locked op (~5 ns) plus list manipulation on a cold slab line (~35 ns, zone->lock per-page figure of commit 52166607ecc9)"
        case .slubNewSlab:
            "allocate_slab(): freelist set-up of a fresh slab, about 3 cold-page touches at ~50 ns (order of magnitude, not measured)"
        case .slubFreeSlow:
            "__slab_free(): a cmpxchg on the slab's freelist with the line usually remote (~5 ns op + line ~25 ns); order of magnitude"
        case .pcpHit:
            "page alloc+free through the pcp list, repeat: 112 ns per pair, Xeon Gold 5320, 6.0 (luhsra/llfree-bench latest-bu-o); half each, minus the runner"
        case .pageMovedBuddyPCP:
            "zone->lock held 35-55 ns per page moved, batch of 63: 2.2-3.5 us (Ying Huang, PCP batch scale, commit 52166607ecc9); the middle"
        case .buddySplitMergePerOrder:
            "order-9 bulk alloc 2615 ns / free 444 ns on one CPU (llfree-bench latest-bu-c) less clearing; a split or merge step is a few list ops, ~10 ns"
        case .buddyAllocFree:
            "order-0 cold pcp refill from buddy, 94 ns alloc / 90 ns free per page, 1 CPU (llfree-bench latest-bu-c bulk), less the per-page move"
        case .zeroPerKiB:
            "clearing 4 KiB 140-400 ns (10-30 GB/s per core); UNCONFIRMED order of magnitude, 200 ns per page chosen"
        case .pageTableSetupPerPage:
            "vmalloc+vfree of one page 0.58 us, 1 job, Threadripper 3970X, 6.3 (U. Rezki, vmap nodes v1, May 2023): the PTE share, order of magnitude"
        case .tlbFlushIPI:
            "an IPI round trip and a kernel-range flush, ~1 us (order of magnitude; the vfree figure above is dominated by it when purging)"
        case .lockAcquire:
            "uncontended locked compare-and-swap ~20 cycles, ~5 ns (typical x86; cmpxchg16b measured 9.4 ns on the development host)"
        case .lineTransfer:
            "core-to-core latency 40-100 ns on one socket (chipsandcheese.com, Core to Core Latency Data on Large Systems, Nov 2023); 70 ns, x SLIT/10 across nodes"
        case .vmallocArea:
            "vmalloc+vfree of one page 0.58 us, 1 job (Rezki, May 2023), less page allocation and PTE set-up"
        case .freelistWalkFailed:
            "a zonelist walk reading each zone's free-page counter and watermarks, a few cache lines at ~5-10 ns; ~30 ns (order of magnitude, not measured)"
        case .runnerOperation:
            "kmsim's runner itself: 0, so the reported figures are the kernel paths' alone"
        }
    }
}
