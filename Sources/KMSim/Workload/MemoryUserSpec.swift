/// Tasks that use memory the way user space does, so the allocators meet reclaimable and
/// unreclaimable pressure: page cache reads (clean pages kswapd drops cheaply), page cache writes
/// (dirty pages that need writeback, which GFP_NOFS and GFP_NOIO reclaim may not start) and
/// anonymous memory (reclaimable only by swapping, and the OOM killer's usual victim).
public struct MemoryUserSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// Reads a file over and over: `filemap_read` filling the page cache with clean pages.
        case pageCacheReader
        /// Writes a file over and over: `generic_perform_write` dirtying page cache pages.
        case pageCacheWriter
        /// Touches anonymous memory (`do_anonymous_page`): pages only swap-out or OOM can take back.
        case anonymous
    }

    public var name: String
    public var kind: Kind
    public var cpus: CPUSelection
    public var tasksPerCPU: Int
    /// Per task: the file size for the page cache kinds, the mapping size for `anonymous`.
    public var bytes: UInt64
    /// Writers: the share of the node's memory that may be dirty before the writer is throttled
    /// (`vm.dirty_ratio`, `balance_dirty_pages`); nil for readers and anonymous users.
    public var dirtyRatio: Double?
    /// Bytes per second per task; nil runs unthrottled.
    public var bandwidth: UInt64?

    public init(name: String, kind: Kind, cpus: CPUSelection = .all, tasksPerCPU: Int = 1, bytes: UInt64,
                dirtyRatio: Double? = nil, bandwidth: UInt64? = nil) {
        self.name = name
        self.kind = kind
        self.cpus = cpus
        self.tasksPerCPU = tasksPerCPU
        self.bytes = bytes
        self.dirtyRatio = dirtyRatio
        self.bandwidth = bandwidth
    }

    /// `vm.dirty_ratio`'s default.
    public static let defaultDirtyRatio = 0.20
}
