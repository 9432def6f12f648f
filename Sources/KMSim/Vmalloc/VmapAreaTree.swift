import Foundation

/// One `struct vmap_area` in a `VmapAreaTree`: the range `[start, end)`, the tree links, the address-sorted
/// list links, `subtree_max_size`, and what the owning tree keeps per area (`payload`).
struct VmapAreaNode<Payload: BitwiseCopyable>: BitwiseCopyable {
    var start: UInt64
    var end: UInt64
    /// `va->subtree_max_size`: the largest `end - start` in this node's subtree (the augmented value).
    var subtreeMaxSize: UInt64
    var left: Int32
    var right: Int32
    /// AVL height of the subtree (a leaf is 1).
    var height: Int32
    /// `va->list`: the previous and next area by address.
    var prev: Int32
    var next: Int32
    var payload: Payload

    var size: UInt64 { end - start }
}

/// The kernel's pair of an address-sorted augmented rbtree and an address-sorted list of `vmap_area`s
/// (`free_vmap_area_root` + `free_vmap_area_list`, or `vmap_area_root` + `vmap_area_list`).
///
/// Mirrors mm/vmalloc.c's data structure with two deliberate changes in representation, none in
/// behaviour: the balanced tree is an AVL tree instead of a red-black tree (both give O(log n) height; the
/// rotations maintain `subtree_max_size` the way `RB_DECLARE_CALLBACKS_MAX` does), and nodes live in one
/// array of structs linked by 32-bit indices, so there is no object per area and no allocation except
/// when the array doubles. Indices are stable while a node is in the tree: callers keep them as handles.
///
/// Payloads are bitwise-copyable because slots are raw storage that is reused without deinitialising.
///
/// Not thread-safe: each tree is owned by one lock (`free_vmap_area_lock` or `vmap_area_lock`), and every
/// call must hold it.
final class VmapAreaTree<Payload: BitwiseCopyable> {
    static var none: Int32 { -1 }

    private(set) var nodes: UnsafeMutablePointer<VmapAreaNode<Payload>>
    private var capacity: Int
    /// Slots in use or on the free-slot chain (threaded through `next`).
    private var highWater = 0
    private var freeSlot: Int32 = -1
    private(set) var root: Int32 = -1
    /// Head and tail of the address-sorted list.
    private(set) var first: Int32 = -1
    private(set) var last: Int32 = -1
    private(set) var count = 0

    init(initialCapacity: Int = 64) {
        capacity = max(initialCapacity, 4)
        nodes = .allocate(capacity: capacity)
    }

    deinit {
        nodes.deallocate()
    }

    @inline(__always)
    subscript(index: Int32) -> VmapAreaNode<Payload> {
        get { nodes[Int(index)] }
    }

    /// The payload of a node in the tree, for in-place updates.
    @inline(__always)
    func payload(_ index: Int32) -> UnsafeMutablePointer<Payload> {
        withUnsafeMutablePointer(to: &nodes[Int(index)].payload) { $0 }
    }

    // MARK: Augmentation and balance

    @inline(__always)
    private func height(_ index: Int32) -> Int32 { index < 0 ? 0 : nodes[Int(index)].height }

    /// `get_subtree_max_size()`: 0 for an empty subtree.
    @inline(__always)
    func subtreeMaxSize(_ index: Int32) -> UInt64 { index < 0 ? 0 : nodes[Int(index)].subtreeMaxSize }

    /// `compute_subtree_max_size()` plus the AVL height, from the children.
    @inline(__always)
    private func fix(_ index: Int32) {
        let node = nodes + Int(index)
        let left = node.pointee.left, right = node.pointee.right
        node.pointee.height = max(height(left), height(right)) + 1
        node.pointee.subtreeMaxSize = max(node.pointee.end - node.pointee.start,
                                          max(subtreeMaxSize(left), subtreeMaxSize(right)))
    }

    private func rotateRight(_ index: Int32) -> Int32 {
        let pivot = nodes[Int(index)].left
        nodes[Int(index)].left = nodes[Int(pivot)].right
        nodes[Int(pivot)].right = index
        fix(index)
        fix(pivot)
        return pivot
    }

    private func rotateLeft(_ index: Int32) -> Int32 {
        let pivot = nodes[Int(index)].right
        nodes[Int(index)].right = nodes[Int(pivot)].left
        nodes[Int(pivot)].left = index
        fix(index)
        fix(pivot)
        return pivot
    }

    /// Restores the AVL balance of `index` after one of its subtrees changed height by at most one.
    private func rebalance(_ index: Int32) -> Int32 {
        fix(index)
        let left = nodes[Int(index)].left, right = nodes[Int(index)].right
        let balance = height(left) - height(right)
        if balance > 1 {
            if height(nodes[Int(left)].left) < height(nodes[Int(left)].right) {
                nodes[Int(index)].left = rotateLeft(left)
            }
            return rotateRight(index)
        }
        if balance < -1 {
            if height(nodes[Int(right)].right) < height(nodes[Int(right)].left) {
                nodes[Int(index)].right = rotateRight(right)
            }
            return rotateLeft(index)
        }
        return index
    }

    // MARK: Slots

    private func allocateSlot() -> Int32 {
        if freeSlot >= 0 {
            let slot = freeSlot
            freeSlot = nodes[Int(slot)].next
            return slot
        }
        if highWater == capacity {
            let grown = UnsafeMutablePointer<VmapAreaNode<Payload>>.allocate(capacity: capacity * 2)
            grown.initialize(from: nodes, count: capacity)
            nodes.deallocate()
            nodes = grown
            capacity *= 2
        }
        highWater += 1
        return Int32(highWater - 1)
    }

    // MARK: Insert

    /// `insert_vmap_area()` / `insert_vmap_area_augment()`: links a new area `[start, end)`. Returns its
    /// index, or nil when it overlaps an area already in the tree (the kernel's "vmalloc bug" WARN in
    /// `find_va_links()`); the tree is then unchanged.
    func insert(start: UInt64, end: UInt64, payload: Payload) -> Int32? {
        guard start < end, !overlapsExisting(start: start, end: end) else { return nil }
        let slot = allocateSlot()
        (nodes + Int(slot)).initialize(to: VmapAreaNode(
            start: start, end: end, subtreeMaxSize: end - start, left: -1, right: -1, height: 1,
            prev: -1, next: -1, payload: payload))
        var predecessor: Int32 = -1
        root = insert(slot, into: root, predecessor: &predecessor)
        linkAfter(predecessor, slot)
        count += 1
        return slot
    }

    private func insert(_ slot: Int32, into subtree: Int32, predecessor: inout Int32) -> Int32 {
        guard subtree >= 0 else { return slot }
        if nodes[Int(slot)].start < nodes[Int(subtree)].start {
            nodes[Int(subtree)].left = insert(slot, into: nodes[Int(subtree)].left, predecessor: &predecessor)
        } else {
            predecessor = subtree
            nodes[Int(subtree)].right = insert(slot, into: nodes[Int(subtree)].right, predecessor: &predecessor)
        }
        return rebalance(subtree)
    }

    /// `list_add()` after `predecessor` (or at the head when there is none).
    private func linkAfter(_ predecessor: Int32, _ slot: Int32) {
        let successor = predecessor >= 0 ? nodes[Int(predecessor)].next : first
        nodes[Int(slot)].prev = predecessor
        nodes[Int(slot)].next = successor
        if predecessor >= 0 { nodes[Int(predecessor)].next = slot } else { first = slot }
        if successor >= 0 { nodes[Int(successor)].prev = slot } else { last = slot }
    }

    private func overlapsExisting(start: UInt64, end: UInt64) -> Bool {
        guard let below = lastStarting(atOrBelow: end &- 1) else { return false }
        return nodes[Int(below)].end > start
    }

    // MARK: Remove

    /// `unlink_va()` / `unlink_va_augment()`: removes the area at `index` from the tree and the list and
    /// returns its payload. Other indices stay valid.
    @discardableResult
    func remove(_ index: Int32) -> Payload {
        root = remove(key: nodes[Int(index)].start, target: index, from: root)
        let node = nodes[Int(index)]
        if node.prev >= 0 { nodes[Int(node.prev)].next = node.next } else { first = node.next }
        if node.next >= 0 { nodes[Int(node.next)].prev = node.prev } else { last = node.prev }
        let payload = node.payload
        nodes[Int(index)].next = freeSlot
        freeSlot = index
        count -= 1
        return payload
    }

    private func remove(key: UInt64, target: Int32, from subtree: Int32) -> Int32 {
        let node = nodes + Int(subtree)
        if subtree != target {
            if key < node.pointee.start {
                node.pointee.left = remove(key: key, target: target, from: node.pointee.left)
            } else {
                node.pointee.right = remove(key: key, target: target, from: node.pointee.right)
            }
            return rebalance(subtree)
        }
        let left = node.pointee.left, right = node.pointee.right
        if left < 0 { return right }
        if right < 0 { return left }
        var successor: Int32 = -1
        let newRight = removeMin(right, minimum: &successor)
        nodes[Int(successor)].left = left
        nodes[Int(successor)].right = newRight
        return rebalance(successor)
    }

    private func removeMin(_ subtree: Int32, minimum: inout Int32) -> Int32 {
        let left = nodes[Int(subtree)].left
        if left < 0 {
            minimum = subtree
            return nodes[Int(subtree)].right
        }
        nodes[Int(subtree)].left = removeMin(left, minimum: &minimum)
        return rebalance(subtree)
    }

    // MARK: Resize

    /// Changes the bounds of an area in place and repairs `subtree_max_size` on the path from the root
    /// (`augment_tree_propagate_from()`). The new bounds must keep the area between its list neighbours.
    func setBounds(_ index: Int32, start: UInt64, end: UInt64) {
        nodes[Int(index)].start = start
        nodes[Int(index)].end = end
        propagate(key: start, target: index, from: root)
    }

    private func propagate(key: UInt64, target: Int32, from subtree: Int32) {
        guard subtree >= 0 else { return }
        if subtree != target {
            propagate(key: key, target: target,
                      from: key < nodes[Int(subtree)].start ? nodes[Int(subtree)].left : nodes[Int(subtree)].right)
        }
        fix(subtree)
    }

    // MARK: Lookups

    /// `__find_vmap_area()`: the area with `start <= address < end`.
    func find(containing address: UInt64) -> Int32? {
        var index = root
        while index >= 0 {
            let node = nodes[Int(index)]
            if address < node.start {
                index = node.left
            } else if address >= node.end {
                index = node.right
            } else {
                return index
            }
        }
        return nil
    }

    /// The area with the highest start that is `<= address`.
    func lastStarting(atOrBelow address: UInt64) -> Int32? {
        var index = root
        var best: Int32 = -1
        while index >= 0 {
            if nodes[Int(index)].start <= address {
                best = index
                index = nodes[Int(index)].right
            } else {
                index = nodes[Int(index)].left
            }
        }
        return best >= 0 ? best : nil
    }

    /// Every area in address order (for /proc/vmallocinfo and invariant checks).
    func forEach(_ body: (Int32, VmapAreaNode<Payload>) -> Void) {
        var index = first
        while index >= 0 {
            let node = nodes[Int(index)]
            body(index, node)
            index = node.next
        }
    }

    /// Checks the structure: list order and disjointness, AVL balance, and every `subtree_max_size`.
    /// Returns the problems found (empty when consistent).
    func validate() -> [String] {
        var problems: [String] = []
        var previousEnd: UInt64 = 0
        var listed = 0
        var index = first
        while index >= 0 {
            let node = nodes[Int(index)]
            if node.start < previousEnd && listed > 0 {
                problems.append(String(format: "areas overlap or are out of order at 0x%llx", node.start))
            }
            previousEnd = node.end
            listed += 1
            index = node.next
        }
        if listed != count { problems.append("list holds \(listed) areas, count says \(count)") }
        _ = validateSubtree(root, problems: &problems)
        return problems
    }

    private func validateSubtree(_ index: Int32, problems: inout [String]) -> (height: Int32, max: UInt64) {
        guard index >= 0 else { return (0, 0) }
        let node = nodes[Int(index)]
        let left = validateSubtree(node.left, problems: &problems)
        let right = validateSubtree(node.right, problems: &problems)
        let height = max(left.height, right.height) + 1
        let maxSize = max(node.size, max(left.max, right.max))
        if abs(left.height - right.height) > 1 || height != node.height {
            problems.append(String(format: "unbalanced subtree at 0x%llx", node.start))
        }
        if maxSize != node.subtreeMaxSize {
            problems.append(String(format: "subtree_max_size of 0x%llx is %llu, should be %llu",
                                   node.start, node.subtreeMaxSize, maxSize))
        }
        return (height, maxSize)
    }
}
