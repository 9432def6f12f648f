/// The test cases of the kernel's vmalloc stress module (lib/test_vmalloc.c) that kmsim runs, with the
/// module's ids (bit positions of `run_test_mask`) and names.
///
/// Not carried over: pcpu_alloc_test (id 128, the per-CPU allocator), kvfree_rcu_1/2_arg_vmalloc_test
/// (256, 512: RCU) and vm_map_ram_test (1024: per-CPU vmap blocks); kmsim models none of them, so their
/// mask bits select nothing.
public enum VmallocTestCase: Int, CaseIterable, Sendable {
    case fixSizeAlloc
    case fullFitAlloc
    case longBusyListAlloc
    case randomSizeAlloc
    case fixAlignAlloc
    case randomSizeAlignAlloc
    case alignShiftAlloc
    case noBlockAlloc

    /// The case's bit in `run_test_mask` (the kernel's `1 << index` in `test_case_array[]`).
    public var maskBit: Int { self == .noBlockAlloc ? 1 << 11 : 1 << rawValue }

    /// `test_case_array[].test_name`.
    public var kernelName: String {
        switch self {
        case .fixSizeAlloc: return "fix_size_alloc_test"
        case .fullFitAlloc: return "full_fit_alloc_test"
        case .longBusyListAlloc: return "long_busy_list_alloc_test"
        case .randomSizeAlloc: return "random_size_alloc_test"
        case .fixAlignAlloc: return "fix_align_alloc_test"
        case .randomSizeAlignAlloc: return "random_size_align_alloc_test"
        case .alignShiftAlloc: return "align_shift_alloc_test"
        case .noBlockAlloc: return "no_block_alloc_test"
        }
    }

    /// Whether the kernel's module documents the case as supposed to fail on 6.12: align_shift_alloc
    /// (alignments up to 2^63 cannot be met) and no_block_alloc (6.12 vmalloc may sleep, so a
    /// GFP_ATOMIC/GFP_NOWAIT call with preemption disabled is a bug report).
    public var expectedToFail: Bool { self == .alignShiftAlloc || self == .noBlockAlloc }
}
