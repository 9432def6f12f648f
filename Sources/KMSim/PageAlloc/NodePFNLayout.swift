/// How PFNs map to nodes: the nodes lie one after another, `pagesPerNode` PFNs each, so
/// `pfn_to_nid()` is a division (a shift when the node size is a power of two) and a node's first PFN
/// (`node_start_pfn`) a product. A value, so the slab free path keeps a copy of its own and finds a
/// freed object's node without going through the page allocator.
struct NodePFNLayout {
    let pagesPerNode: Int
    /// log2(pagesPerNode) when it is a power of two; -1 otherwise.
    let shift: Int

    init(pagesPerNode: Int) {
        self.pagesPerNode = pagesPerNode
        shift = pagesPerNode.nonzeroBitCount == 1 ? pagesPerNode.trailingZeroBitCount : -1
    }

    /// `pfn_to_nid()` for a PFN that is not negative.
    @inline(__always)
    func node(of pfn: PFN) -> Int { shift >= 0 ? pfn &>> shift : pfn / pagesPerNode }

    /// `node_start_pfn(node)`.
    @inline(__always)
    func startPFN(ofNode node: Int) -> PFN { node &* pagesPerNode }
}
