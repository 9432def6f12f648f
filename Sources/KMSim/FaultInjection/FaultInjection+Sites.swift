/// The counts of injected failures, in total and per site (`failslab`: cache × GFP class,
/// `fail_page_alloc`: order × GFP class), for the run report.
extension FaultInjection {
    /// One site where failures were injected.
    public struct Site: Codable, Sendable, Equatable {
        /// `failslab` or `fail_page_alloc`.
        public var fault: String
        /// The slab cache (`kmalloc-256`, `skbuff_head_cache`) or the page order (`order 1`).
        public var site: String
        /// The GFP class of the failed calls (`GFP_ATOMIC`, `GFP_KERNEL`...).
        public var gfp: String
        public var count: Int

        public init(fault: String, site: String, gfp: String, count: Int) {
            self.fault = fault
            self.site = site
            self.gfp = gfp
            self.count = count
        }
    }

    /// Failures `failslab` injected.
    public var failslabInjected: Int {
        (0..<slabSites.count).reduce(0) { $0 + slabSites[$1] }
    }

    /// Failures `fail_page_alloc` injected.
    public var failPageAllocInjected: Int {
        (0..<pageSites.count).reduce(0) { $0 + pageSites[$1] }
    }

    /// Every site with injections, failslab first, then by count (most first) and name. `cacheName`
    /// names a cache id (nil: a cache destroyed since, shown as `cache #id`).
    public func sites(cacheName: (Int) -> String?) -> [Site] {
        var slab: [Site] = []
        for index in 0..<slabSites.count where slabSites[index] != 0 {
            let id = index / Self.gfpClasses
            let gfp = GFPClass(rawValue: index % Self.gfpClasses)?.description ?? "?"
            slab.append(Site(fault: failslab.name, site: cacheName(id) ?? "cache #\(id)", gfp: gfp, count: slabSites[index]))
        }
        var pages: [Site] = []
        for index in 0..<pageSites.count where pageSites[index] != 0 {
            let gfp = GFPClass(rawValue: index % Self.gfpClasses)?.description ?? "?"
            pages.append(Site(fault: failPageAlloc.name, site: "order \(index / Self.gfpClasses)", gfp: gfp,
                              count: pageSites[index]))
        }
        func ordered(_ sites: [Site]) -> [Site] {
            sites.sorted { ($1.count, $0.site, $0.gfp) < ($0.count, $1.site, $1.gfp) }
        }
        return ordered(slab) + ordered(pages)
    }
}
