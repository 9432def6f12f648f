import Foundation
import Testing
@testable import KMSim

@Suite(TestTime.limit(minutes: 5)) struct HostTopologyTests {
    @Test func topologyCoversEveryOnlineCPU() {
        let host = HostTopology.current()
        #expect(!host.nodes.isEmpty)
        let cpus = host.nodes.flatMap(\.cpus).sorted()
        let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #expect(cpus.count == online)
        #expect(Set(cpus).count == cpus.count, "a CPU appears on two nodes")
        #expect(host.distances.count == host.nodes.count)
        for (row, distances) in host.distances.enumerated() {
            #expect(distances.count == host.nodes.count)
            #expect(distances[row] == 10, "local distance is 10")
        }
        for node in host.nodes where host.numaAvailable {
            #expect(node.memoryTotalBytes > 0 || node.cpus.isEmpty == false)
            #expect(node.memoryFreeBytes <= node.memoryTotalBytes)
        }
    }

    @Test func fallbackIsOneNodeWithAllCPUs() {
        let fallback = HostTopology.singleNodeFallback()
        #expect(!fallback.numaAvailable)
        #expect(fallback.nodes.count == 1)
        #expect(fallback.nodes[0].cpus.count == Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #expect(fallback.distances == [[10]])
    }

    /// Pins a fresh thread to one CPU, then to the CPUs of its host node, and reads the affinity back
    /// with `numa_sched_getaffinity` each time.
    @Test(.enabled(if: HostTopology.current().numaAvailable, HostTopology.numaUnavailableReason))
    func pinningChangesTheThreadAffinity() async throws {
        let host = HostTopology.current()
        let node = host.nodes[0]
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<([Int], [Int], [Int]), Never>) in
            let thread = Thread {
                let before = HostPinning.currentThreadAffinity()
                HostPinning.bindCurrentThread(toCPUs: [node.cpus[0]])
                let single = HostPinning.currentThreadAffinity()
                HostPinning.bindCurrentThread(toHostNode: node.id)
                let whole = HostPinning.currentThreadAffinity()
                continuation.resume(returning: (before, single, whole))
            }
            thread.start()
        }
        #expect(result.1 == [node.cpus[0]])
        #expect(result.2 == node.cpus)
        if node.cpus.count > 1 { #expect(result.1 != result.0, "binding to one CPU changed nothing") }
    }

    @Test func simulatedNodesMapRoundRobin() {
        let host = HostTopology(numaAvailable: true,
                                nodes: [.init(id: 0, cpus: [0, 1], memoryTotalBytes: 1, memoryFreeBytes: 1),
                                        .init(id: 1, cpus: [2, 3], memoryTotalBytes: 1, memoryFreeBytes: 1)],
                                distances: [[10, 21], [21, 10]])
        let placement = MachineSpec(nodes: 3, cpusPerNode: 2).placement(on: host)
        #expect(placement.map(\.hostNode) == [0, 1, 0])
        #expect(placement[1].hostCPUs == [2, 3])
        #expect(placement[2].simulatedCPUs == [4, 5])
    }
}

extension HostTopology {
    /// Why the pinning tests are skipped on a host without NUMA support: kmsim then runs unpinned on a
    /// single-node fallback (`singleNodeFallback()`), and there is no binding to observe.
    static let numaUnavailableReason: Comment = "needs libnuma's NUMA support (numa_available() >= 0): without it kmsim runs unpinned on a one-node fallback"
}
