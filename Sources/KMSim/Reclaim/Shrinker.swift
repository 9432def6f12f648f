import Synchronization

/// A shrinker (`struct shrinker`, include/linux/shrinker.h): how reclaim asks a cache of reclaimable
/// kernel objects (dentries, inodes, a reclaimable slab cache of the workload's) to give memory back.
///
/// `countObjects` returns how many objects could be freed now (`count_objects`), `scanObjects` frees up
/// to the number asked and returns how many it freed, or nil for SHRINK_STOP (`scan_objects`). Both run
/// synchronously in the reclaiming task's context, never from interrupts.
public struct Shrinker: Sendable {
    public typealias Count = @Sendable (_ context: ExecutionContext) -> Int
    public typealias Scan = @Sendable (_ count: Int, _ context: ExecutionContext) -> Int?

    public let name: String
    /// `shrinker->seeks`: the cost of recreating an object (DEFAULT_SEEKS = 2).
    public let seeks: Int
    /// Whether it is a filesystem shrinker (`super_cache_scan()` returns SHRINK_STOP without `__GFP_FS`).
    public let needsFS: Bool
    let countObjects: Count
    let scanObjects: Scan

    /// `DEFAULT_SEEKS`.
    public static let defaultSeeks = 2
    /// `SHRINK_BATCH`.
    public static let batch = 128

    public init(name: String, seeks: Int = Shrinker.defaultSeeks, needsFS: Bool = true,
                count: @escaping Count, scan: @escaping Scan) {
        self.name = name
        self.seeks = max(1, seeks)
        self.needsFS = needsFS
        self.countObjects = count
        self.scanObjects = scan
    }
}

/// `shrinker_list` under `shrinker_rwsem` (register, unregister, and reclaim's walk).
final class ShrinkerList: Sendable {
    private let list = OrderedMutex<[Int: Shrinker]>([:])
    private let nextID = Atomic<Int>(1)

    func register(_ shrinker: Shrinker) -> Int {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        list.withLock { $0[id] = shrinker }
        return id
    }

    func unregister(_ id: Int) { list.withLock { _ = $0.removeValue(forKey: id) } }

    var all: [Shrinker] { list.withLock { $0.sorted { $0.key < $1.key }.map(\.value) } }
}
