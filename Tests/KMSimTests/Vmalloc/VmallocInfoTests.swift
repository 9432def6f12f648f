import Testing
@testable import KMSim

/// /proc/vmallocinfo and the meminfo lines in the kernel's layout.
@Suite struct VmallocInfoTests {
    let task = ExecutionContext.task(cpu: 0, pid: 100)

    @Test func linesFollowTheKernelLayout() throws {
        let (_, vmalloc) = try makeVmallocMachine(nodes: 2, cpusPerNode: 1, memoryPerNode: 64 << 20)
        let first = try #require(vmalloc.vmallocNode(3 * 4096, node: 0, context: task, caller: "bpf_prog_alloc"))
        let second = try #require(vmalloc.vmalloc(4096, context: task, caller: "alloc_large_system_hash"))
        let third = try #require(vmalloc.vmalloc(4096, context: task, caller: "n_tty_open"))
        vmalloc.vfree(third, context: task)
        let lines = ProcFS.vmallocinfo(vmalloc).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4)
        #expect(lines[0] == "0xffffc90000000000-0xffffc90000004000   16384 bpf_prog_alloc pages=3 vmalloc N0=3")
        #expect(lines[1].hasPrefix(String(format: "0x%016llx-0x%016llx    8192 alloc_large_system_hash pages=1 vmalloc N", second, second + 8192)))
        #expect(lines[2] == Substring(String(format: "0x%016llx-0x%016llx    8192 unpurged vm_area", third, third + 8192)))
        #expect(lines[3] == "")
        #expect(first == VmallocLayout.start)
    }

    @Test func meminfoLines() throws {
        let (_, vmalloc) = try makeVmallocMachine()
        _ = try #require(vmalloc.vmalloc(10 * 4096, context: task))
        #expect(ProcFS.meminfoVmallocLines(vmalloc) == """
            VmallocTotal:   34359738367 kB
            VmallocUsed:          40 kB
            VmallocChunk:          0 kB

            """)
    }
}
