/// How a request fits the free block it was found in: mm/vmalloc.c's `enum fit_type`.
enum VmapFitType: Equatable {
    /// `NOTHING_FIT`: the request is not inside the block.
    case nothingFit
    /// `FL_FIT_TYPE`: the request is the whole block; the block leaves the free tree.
    case fullFit
    /// `LE_FIT_TYPE`: the request starts at the block's start; the block keeps its right remainder.
    case leftEdgeFit
    /// `RE_FIT_TYPE`: the request ends at the block's end; the block keeps its left remainder.
    case rightEdgeFit
    /// `NE_FIT_TYPE`: the request is strictly inside; the block becomes two (a new left one is inserted).
    case noEdgeFit
}

/// The free-space operations of mm/vmalloc.c on the free tree (`free_vmap_area_root`):
/// `find_vmap_lowest_match()`, `__alloc_vmap_area()` with `va_clip()`, and `merge_or_add_vmap_area()`.
extension VmapAreaTree {
    /// `is_within_this_va()`: whether `size` bytes aligned to `align`, at or above `vstart`, fit in the
    /// node's block.
    @inline(__always)
    func isWithin(_ index: Int32, size: UInt64, align: UInt64, vstart: UInt64) -> Bool {
        let node = self[index]
        guard let candidate = VmallocLayout.align(node.start > vstart ? node.start : vstart, align) else { return false }
        let (candidateEnd, overflow) = candidate.addingReportingOverflow(size)
        guard !overflow, candidate >= vstart else { return false }
        return candidateEnd <= node.end
    }

    /// `find_vmap_lowest_match()`: the free block with the lowest address that can hold the request.
    ///
    /// The kernel walks down from the root preferring the left subtree whenever its `subtree_max_size`
    /// can hold `length`, and climbs back through parents when alignment or `vstart` defeat a subtree.
    /// This is the same search written recursively: visit left (if it may hold the request and lies above
    /// `vstart`), then the node, then right, and prune any subtree whose `subtree_max_size` is below
    /// `length`. With `adjustSearchSize`, `length = size + align - 1`, so any block of that size fits
    /// whatever its alignment and the walk is a single root-to-leaf path.
    func findLowestMatch(size: UInt64, align: UInt64, vstart: UInt64, adjustSearchSize: Bool) -> Int32? {
        let length: UInt64
        if adjustSearchSize {
            let (sum, overflow) = size.addingReportingOverflow(align - 1)
            guard !overflow else { return nil }
            length = sum
        } else {
            length = size
        }
        return lowestMatch(root, length: length, size: size, align: align, vstart: vstart)
    }

    private func lowestMatch(_ index: Int32, length: UInt64, size: UInt64, align: UInt64, vstart: UInt64) -> Int32? {
        guard index >= 0, subtreeMaxSize(index) >= length else { return nil }
        let node = self[index]
        if subtreeMaxSize(node.left) >= length && vstart < node.start,
           let found = lowestMatch(node.left, length: length, size: size, align: align, vstart: vstart) {
            return found
        }
        if isWithin(index, size: size, align: align, vstart: vstart) { return index }
        return lowestMatch(node.right, length: length, size: size, align: align, vstart: vstart)
    }

    /// `classify_va_fit_type()`.
    func classifyFit(_ index: Int32, start: UInt64, size: UInt64) -> VmapFitType {
        let node = self[index]
        guard start >= node.start, start + size <= node.end else { return .nothingFit }
        if node.start == start {
            return node.end == start + size ? .fullFit : .leftEdgeFit
        }
        return node.end == start + size ? .rightEdgeFit : .noEdgeFit
    }

    /// `va_clip()`: carves `[start, start + size)` out of the free block at `index`, by the four split
    /// cases. Returns the case applied (`nothingFit` leaves the tree unchanged).
    @discardableResult
    func clip(_ index: Int32, start: UInt64, size: UInt64, payload: Payload) -> VmapFitType {
        let type = classifyFit(index, start: start, size: size)
        let node = self[index]
        switch type {
        case .nothingFit:
            break
        case .fullFit:
            remove(index)
        case .leftEdgeFit:
            setBounds(index, start: start + size, end: node.end)
        case .rightEdgeFit:
            setBounds(index, start: node.start, end: start)
        case .noEdgeFit:
            setBounds(index, start: start + size, end: node.end)
            _ = insert(start: node.start, end: start, payload: payload)
        }
        return type
    }

    /// `__alloc_vmap_area()`: the lowest address in `[vstart, vend)` where `size` bytes aligned to `align`
    /// fit, clipped out of the free tree; nil when nothing fits (`-ENOENT`) or the fit passes `vend`
    /// (`-ERANGE`).
    func allocate(size: UInt64, align: UInt64, vstart: UInt64, vend: UInt64, payload: Payload) -> UInt64? {
        // No search-size adjustment when align <= PAGE_SIZE (every block is page aligned), nor for a range
        // that is exactly the request (the adjusted length could never fit).
        let adjust = !(align <= VmallocLayout.pageSize || vend &- vstart == size)
        guard let index = findLowestMatch(size: size, align: align, vstart: vstart, adjustSearchSize: adjust),
              let start = VmallocLayout.align(self[index].start > vstart ? self[index].start : vstart, align)
        else { return nil }
        let (end, overflow) = start.addingReportingOverflow(size)
        guard !overflow, end <= vend else { return nil }
        guard clip(index, start: start, size: size, payload: payload) != .nothingFit else { return nil }
        return start
    }

    /// `merge_or_add_vmap_area_augment()`: returns `[start, end)` to the free tree, merged with the
    /// neighbouring free blocks it touches. Returns false (and changes nothing) when the range overlaps
    /// free space already, which would be a double free of kernel virtual address space.
    @discardableResult
    func mergeOrAdd(start: UInt64, end: UInt64, payload: Payload) -> Bool {
        let below = lastStarting(atOrBelow: start)
        let next = below.map { self[$0].next } ?? first
        if let below, self[below].end > start { return false }
        if next >= 0, self[next].start < end { return false }
        let mergesPrev = below.map { self[$0].end == start } ?? false
        let mergesNext = next >= 0 && self[next].start == end
        switch (mergesPrev, mergesNext) {
        case (true, true):
            let nextEnd = self[next].end
            remove(next)
            // `below` is non-nil here; its index survives the removal of `next`.
            if let below { setBounds(below, start: self[below].start, end: nextEnd) }
        case (true, false):
            if let below { setBounds(below, start: self[below].start, end: end) }
        case (false, true):
            setBounds(next, start: start, end: self[next].end)
        case (false, false):
            _ = insert(start: start, end: end, payload: payload)
        }
        return true
    }
}
