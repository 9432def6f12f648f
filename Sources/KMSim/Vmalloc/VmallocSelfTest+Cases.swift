/// The bodies of lib/test_vmalloc.c's cases. Each returns true for the module's 0 (pass), false for -1.
extension VmallocSelfTest {
    static func run(_ testCase: VmallocTestCase, _ parameters: Parameters, vmalloc: Vmalloc,
                    context: ExecutionContext) async -> Bool {
        let loops = parameters.testLoopCount
        let page = Int(VmallocLayout.pageSize)
        let nrPages = max(parameters.nrPages, 1)
        switch testCase {
        case .fixSizeAlloc:
            for index in 0..<loops {
                guard let pointer = vmalloc.vmalloc(nrPages * page, context: context, caller: "fix_size_alloc_test") else { return false }
                touch(vmalloc, pointer, 0, context)
                vmalloc.vfree(pointer, context: context)
                await condResched(index)
            }
            return true
        case .fullFitAlloc:
            return await fullFitAlloc(loops, vmalloc: vmalloc, context: context)
        case .longBusyListAlloc:
            return await longBusyListAlloc(loops, vmalloc: vmalloc, context: context)
        case .randomSizeAlloc:
            for index in 0..<loops {
                guard let pointer = vmalloc.vmalloc(Int.random(in: 1...100) * page, context: context,
                                                    caller: "random_size_alloc_test") else { return false }
                touch(vmalloc, pointer, 1, context)
                vmalloc.vfree(pointer, context: context)
                await condResched(index)
            }
            return true
        case .fixAlignAlloc:
            for index in 0..<loops {
                guard let pointer = vmalloc.vmallocNode(5 * page, align: threadAlign << 1, gfp: GFPFlags.kernel.union(.zero),
                                                        node: 0, context: context, caller: "fix_align_alloc_test")
                else { return false }
                vmalloc.vfree(pointer, context: context)
                await condResched(index)
            }
            return true
        case .randomSizeAlignAlloc:
            for index in 0..<loops {
                let random = Int(UInt8.random(in: 0...255))
                guard let pointer = vmalloc.vmallocNode((random % 10 + 1) * page, align: 1 << UInt64(random % 23),
                                                        gfp: GFPFlags.kernel.union(.zero), node: 0, context: context,
                                                        caller: "random_size_align_alloc_test") else { return false }
                vmalloc.vfree(pointer, context: context)
                await condResched(index)
            }
            return true
        case .alignShiftAlloc:
            for shift in 0..<UInt64.bitWidth {
                guard let pointer = vmalloc.vmallocNode(page, align: 1 << UInt64(shift), gfp: GFPFlags.kernel.union(.zero),
                                                        node: 0, context: context, caller: "align_shift_alloc_test")
                else { return false }
                vmalloc.vfree(pointer, context: context)
            }
            return true
        case .noBlockAlloc:
            for index in 0..<loops {
                let gfp: GFPFlags = Bool.random() ? .atomic : .noWait
                let reportsBefore = vmalloc.sleepDebug.invalidContextSleeps
                var atomic = context
                atomic.preemptDisable()
                let pointer = vmalloc.vmalloc(nrPages * page, gfp: gfp, context: atomic, caller: "no_block_alloc_test")
                atomic.preemptEnable()
                guard let pointer else { return false }
                vmalloc.vfree(pointer, context: context)
                // 6.12's vmalloc sleeps-in-atomic here: the kernel's "BUG: sleeping function called from
                // invalid context" is this case failing.
                if vmalloc.sleepDebug.invalidContextSleeps != reportsBefore { return false }
                await condResched(index)
            }
            return true
        }
    }

    /// `*((__u8 *)p) = value`: a store through the CPU's TLB.
    static func touch(_ vmalloc: Vmalloc, _ address: KernelAddress, _ value: UInt8, _ context: ExecutionContext) {
        vmalloc.store(value, at: address, context: context)
    }

    /// `cond_resched()` every `reschedInterval` iterations: lets the CPU's other tasks (kworkers) run.
    static func condResched(_ iteration: Int) async {
        if iteration % reschedInterval == reschedInterval - 1 { await Task.yield() }
    }

    /// Stores pointer `index` of an array that lives in vmalloc'd memory (the module's `void **ptr`).
    static func store(_ vmalloc: Vmalloc, array: KernelAddress, _ index: Int, _ value: KernelAddress, _ context: ExecutionContext) {
        vmalloc.store(value, at: array + UInt64(index * 8), context: context)
    }

    static func loadPointer(_ vmalloc: Vmalloc, array: KernelAddress, _ index: Int, _ context: ExecutionContext) -> KernelAddress {
        vmalloc.load(UInt64.self, at: array + UInt64(index * 8), context: context) ?? 0
    }

    /// `full_fit_alloc_test()`: fls(CPUs) × 32 MiB worth of one-page areas interleaved with as many
    /// "junk" areas, the junk freed to leave one-page holes, then one-page allocations that must fit the
    /// holes exactly.
    static func fullFitAlloc(_ loops: Int, vmalloc: Vmalloc, context: ExecutionContext) async -> Bool {
        let junkLength = vmalloc.lazyMaxPages
        let page = Int(VmallocLayout.pageSize)
        guard let pointers = vmalloc.vmalloc(8 * junkLength, context: context, caller: "full_fit_alloc_test") else { return false }
        guard let junk = vmalloc.vmalloc(8 * junkLength, context: context, caller: "full_fit_alloc_test") else {
            vmalloc.vfree(pointers, context: context)
            return false
        }
        for index in 0..<junkLength {
            store(vmalloc, array: pointers, index, vmalloc.vmalloc(page, context: context, caller: "full_fit_alloc_test") ?? 0, context)
            store(vmalloc, array: junk, index, vmalloc.vmalloc(page, context: context, caller: "full_fit_alloc_test") ?? 0, context)
            await condResched(index)
        }
        for index in 0..<junkLength { vmalloc.vfree(loadPointer(vmalloc, array: junk, index, context), context: context) }
        var passed = true
        for index in 0..<loops {
            guard let pointer = vmalloc.vmalloc(page, context: context, caller: "full_fit_alloc_test") else {
                passed = false
                break
            }
            touch(vmalloc, pointer, 1, context)
            vmalloc.vfree(pointer, context: context)
            await condResched(index)
        }
        for index in 0..<junkLength { vmalloc.vfree(loadPointer(vmalloc, array: pointers, index, context), context: context) }
        vmalloc.vfree(pointers, context: context)
        vmalloc.vfree(junk, context: context)
        return passed
    }

    /// `long_busy_list_alloc_test()`: 15000 one-page areas stay busy while 100-page and one-page areas
    /// come and go.
    static func longBusyListAlloc(_ loops: Int, vmalloc: Vmalloc, context: ExecutionContext) async -> Bool {
        let busy = 15_000
        let page = Int(VmallocLayout.pageSize)
        guard let pointers = vmalloc.vmalloc(8 * busy, context: context, caller: "long_busy_list_alloc_test") else { return false }
        for index in 0..<busy {
            store(vmalloc, array: pointers, index, vmalloc.vmalloc(page, context: context, caller: "long_busy_list_alloc_test") ?? 0, context)
            await condResched(index)
        }
        var passed = true
        for index in 0..<loops {
            guard let first = vmalloc.vmalloc(100 * page, context: context, caller: "long_busy_list_alloc_test") else {
                passed = false
                break
            }
            guard let second = vmalloc.vmalloc(page, context: context, caller: "long_busy_list_alloc_test") else {
                vmalloc.vfree(first, context: context)
                passed = false
                break
            }
            touch(vmalloc, first, 0, context)
            touch(vmalloc, second, 1, context)
            vmalloc.vfree(first, context: context)
            vmalloc.vfree(second, context: context)
            await condResched(index)
        }
        for index in 0..<busy { vmalloc.vfree(loadPointer(vmalloc, array: pointers, index, context), context: context) }
        vmalloc.vfree(pointers, context: context)
        return passed
    }
}
