/// `VM_*` flags of a `vm_struct` (include/linux/vmalloc.h, 6.12).
public struct VMFlags: OptionSet, Sendable, Hashable, BitwiseCopyable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// ioremap() and friends.
    public static let ioremap = VMFlags(rawValue: 0x1)
    /// vmalloc().
    public static let alloc = VMFlags(rawValue: 0x2)
    /// vmap()ed pages.
    public static let map = VMFlags(rawValue: 0x4)
    /// Suitable for remap_vmalloc_range.
    public static let userMap = VMFlags(rawValue: 0x8)
    /// The vm_struct is not fully initialised (between area allocation and the end of mapping).
    public static let uninitialized = VMFlags(rawValue: 0x20)
    /// No guard page after the area.
    public static let noGuard = VMFlags(rawValue: 0x40)
    /// Reset direct map and flush TLB on unmap.
    public static let flushResetPerms = VMFlags(rawValue: 0x100)
    /// vfree() puts the pages and frees the array (vmap with ownership transfer).
    public static let mapPutPages = VMFlags(rawValue: 0x200)
    /// Huge mappings allowed (x86-64 does not select HAVE_ARCH_HUGE_VMALLOC, so it changes nothing).
    public static let allowHugeVmap = VMFlags(rawValue: 0x400)
}

/// `struct vm_struct` of a busy `vmap_area` (the busy tree's payload): what /proc/vmallocinfo prints and
/// what vfree() needs to give the pages back.
///
/// The page array (`vm->pages`) holds PFNs. The kernel allocates it with kmalloc, or with a nested
/// vmalloc when it is larger than a page (vmallocinfo then says "vpages"); kmsim keeps it in host memory,
/// so a large vmalloc does not create the nested area.
struct VMArea: BitwiseCopyable {
    var flags: VMFlags
    /// `vm->nr_pages`: pages allocated (or, for vmap with VM_MAP_PUT_PAGES, handed over).
    var nrPages: Int32
    /// `vm->pages`, `nrPages` PFNs; nil for vmap() areas without VM_MAP_PUT_PAGES.
    var pages: UnsafeMutablePointer<UInt32>?
    /// `vm->caller`, printed by vmallocinfo where the kernel prints `%pS`.
    var caller: StaticString
}

/// An unrecoverable setup problem of the vmalloc subsystem (no memory for the boot page tables).
public struct VmallocError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension BugKind {
    /// A `WARN()` of mm/vmalloc.c: "Trying to vfree() nonexistent vm area", "Trying to vfree() bad
    /// address", "Trying to vunmap() nonexistent vm area", "vmalloc_node_range for size %lu failed".
    public static let vmallocWarning = BugKind("vmalloc_warning")
    /// `BUG_ON(in_interrupt())` in `__get_vm_area_node()`: vmalloc from interrupt context.
    public static let vmallocBug = BugKind("vmalloc_bug")
    /// A kernel-address access that does not resolve ("BUG: unable to handle page fault").
    public static let pageFault = BugKind("page_fault")
}
