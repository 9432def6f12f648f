/// The head of an intrusive doubly linked list of pages: a buddy free list (`free_area.free_list[mt]`)
/// or a per-CPU list (`per_cpu_pages.lists[pindex]`).
///
/// The links live in the frames (`PageFrame.next` / `prev`, global PFNs), so a list costs 8 bytes and
/// no allocation; the caller holds whichever lock guards the list.
struct PageList {
    var head: UInt32 = PageFrame.none
    var tail: UInt32 = PageFrame.none

    @inline(__always)
    var isEmpty: Bool { head == PageFrame.none }
}

/// List operations over a PFN-indexed frame base (`frames[pfn]` is the frame of `pfn`).
extension UnsafeMutablePointer where Pointee == PageList {
    /// `list_add()`: push at the head.
    @inline(__always)
    func addHead(_ pfn: PFN, _ frames: UnsafeMutablePointer<PageFrame>) {
        let entry = UInt32(truncatingIfNeeded: pfn)
        let oldHead = pointee.head
        frames[pfn].prev = PageFrame.none
        frames[pfn].next = oldHead
        if oldHead == PageFrame.none { pointee.tail = entry } else { frames[Int(oldHead)].prev = entry }
        pointee.head = entry
    }

    /// `list_add_tail()`: append at the tail.
    @inline(__always)
    func addTail(_ pfn: PFN, _ frames: UnsafeMutablePointer<PageFrame>) {
        let entry = UInt32(truncatingIfNeeded: pfn)
        let oldTail = pointee.tail
        frames[pfn].next = PageFrame.none
        frames[pfn].prev = oldTail
        if oldTail == PageFrame.none { pointee.head = entry } else { frames[Int(oldTail)].next = entry }
        pointee.tail = entry
    }

    /// `list_del()`: unlink `pfn`, which must be on this list.
    @inline(__always)
    func remove(_ pfn: PFN, _ frames: UnsafeMutablePointer<PageFrame>) {
        let next = frames[pfn].next
        let prev = frames[pfn].prev
        if prev == PageFrame.none { pointee.head = next } else { frames[Int(prev)].next = next }
        if next == PageFrame.none { pointee.tail = prev } else { frames[Int(next)].prev = prev }
        frames[pfn].next = PageFrame.none
        frames[pfn].prev = PageFrame.none
    }

    /// Removes and returns the first page (`list_first_entry` + `list_del`), nil when empty.
    @inline(__always)
    func popHead(_ frames: UnsafeMutablePointer<PageFrame>) -> PFN? {
        let head = pointee.head
        guard head != PageFrame.none else { return nil }
        let pfn = Int(head)
        let next = frames[pfn].next
        pointee.head = next
        if next == PageFrame.none { pointee.tail = PageFrame.none } else { frames[Int(next)].prev = PageFrame.none }
        frames[pfn].next = PageFrame.none
        return pfn
    }

    /// Removes and returns the last page (`list_last_entry` + `list_del`), nil when empty.
    @inline(__always)
    func popTail(_ frames: UnsafeMutablePointer<PageFrame>) -> PFN? {
        let tail = pointee.tail
        guard tail != PageFrame.none else { return nil }
        let pfn = Int(tail)
        remove(pfn, frames)
        return pfn
    }

    /// Walks the list for the invariant checker, checking every back link and that the tail is the
    /// last entry, visiting each page; the entry count, or nil when the list is corrupt (a broken link,
    /// or more than `limit` entries, which a cycle would make).
    func walk(_ frames: UnsafeMutablePointer<PageFrame>, limit: Int, _ visit: (PFN) -> Void) -> Int? {
        var count = 0
        var previous = PageFrame.none
        var cursor = pointee.head
        while cursor != PageFrame.none {
            let pfn = Int(cursor)
            guard frames[pfn].prev == previous, count <= limit else { return nil }
            visit(pfn)
            count += 1
            previous = cursor
            cursor = frames[pfn].next
        }
        return pointee.tail == previous ? count : nil
    }
}
