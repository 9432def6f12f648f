/// A bug a workload commits on purpose, to see what the kernel (and kmsim) reports.
///
/// A workload file can only create one with `deliberate: true`, so a bug is never enabled by accident;
/// the runner counts the BUG reports these cause as results of the run (exit status 0 unless
/// `--fail-on-bug`), and any other BUG report as a finding.
public struct DeliberateBugSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A blocking allocation from a hard interrupt handler: `might_alloc()` →
        /// "BUG: sleeping function called from invalid context".
        case sleepingAllocInIRQ
        /// kfree() of an object already free: SLUB's "Object already free" / freelist corruption check.
        case doubleFree
        /// A write into an object after kfree(): found by SLUB poisoning as "Poison overwritten".
        case writeAfterFree
        /// A write just past the end of an object: found by SLUB red zones as "Right Redzone overwritten".
        case redzoneOverwrite

        /// Whether SLUB's debugging finds this bug (a double free, a write after free, a red zone write):
        /// it then exists only for kmalloc sizes a slab cache serves, `slabDebugSizes`.
        public var isSlabBug: Bool { self != .sleepingAllocInIRQ }

        /// The report the kernel prints first, so the runner can match it.
        public var reportTitle: String {
            switch self {
            case .sleepingAllocInIRQ: return "BUG: sleeping function called from invalid context"
            case .doubleFree: return "Object already free"
            case .writeAfterFree: return "Poison overwritten"
            case .redzoneOverwrite: return "Right Redzone overwritten"
            }
        }
    }

    /// The kmalloc sizes SLUB debugging covers: up to KMALLOC_MAX_CACHE_SIZE. Larger requests go to the
    /// page allocator (`kmalloc_large()`), which has no red zones, poison or free-pointer checks, so a
    /// slab bug on them would go unreported in the kernel too (a red zone write would land in the next
    /// page); the slab bugs accept only these sizes.
    public static let slabDebugSizes: ClosedRange<UInt64> = 1...UInt64(KmallocSizes.maxCacheSize)

    public var kind: Kind
    public var cpus: CPUSelection
    /// Occurrences per second on each CPU of `cpus`.
    public var ratePerSecond: Double
    /// The kmalloc size of the object involved.
    public var size: UInt64
    /// The mask of the sleeping allocation (`sleepingAllocInIRQ` only; it must allow blocking).
    public var gfp: GFPSpec

    public init(kind: Kind, cpus: CPUSelection = .all, ratePerSecond: Double, size: UInt64 = 64,
                gfp: GFPSpec = .kernel) {
        self.kind = kind
        self.cpus = cpus
        self.ratePerSecond = ratePerSecond
        self.size = size
        self.gfp = gfp
    }
}
