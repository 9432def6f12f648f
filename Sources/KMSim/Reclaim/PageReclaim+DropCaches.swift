/// `echo 3 > /proc/sys/vm/drop_caches` (fs/drop_caches.c): `drop_pagecache_sb()` → `invalidate_mapping_pages()`
/// frees every clean page cache page not under writeback, then `drop_slab()` asks every shrinker to scan
/// everything. kmsim's page cache is read with read()/write(), never mapped, so every clean page goes.
extension PageReclaim {
    /// Drops clean page cache and shrinks slab caches; returns the pages freed from the page cache.
    @discardableResult
    public func dropCaches(context: ExecutionContext) -> Int {
        var freed = 0
        for lruvec in lruvecs {
            var toFree: [PFN] = []
            lruvec.lruLock.withLock(cpu: context.cpu) {
                for lru in [LRUList.inactiveFile, .activeFile] {
                    var cursor = lruvec.tail(lru)
                    while let pfn = cursor {
                        let previous = lruvec.frames[pfn].prev
                        cursor = previous == PageFrame.none ? nil : Int(previous)
                        let flags = lruvec.frames[pfn].flags
                        guard flags & (PageFlags.dirty.rawValue | PageFlags.writeback.rawValue) == 0 else { continue }
                        lruvec.remove(pfn)
                        unmapLocked(lruvec, pfn)
                        toFree.append(pfn)
                    }
                }
            }
            freeReclaimed(toFree, context: context)
            freed += toFree.count
        }
        var sc = ScanControl(nrToReclaim: 0, gfp: .kernel, order: 0, reclaimIndex: ZoneType.allCases.count - 1, isKswapd: false)
        sc.priority = 0
        shrinkSlab(&sc, context: context)
        return freed
    }
}
