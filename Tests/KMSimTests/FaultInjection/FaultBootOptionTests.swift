import Testing
@testable import KMSim

/// `--failslab` / `--fail-page-alloc` in the kernel's boot syntax `<interval>,<probability>,<space>,<times>`.
@Suite struct FaultBootOptionTests {
    @Test func theFourFieldsInTheKernelsOrder() throws {
        let option = try FaultBootOption.parse("3,25,4096,-1", option: "--failslab")
        #expect(option == FaultBootOption(interval: 3, probability: 25, space: 4096, times: -1))
        let spec = FaultInjectionSpec.none.applying(failslab: option, failPageAlloc: nil)
        #expect(spec.failslab?.attr == FaultAttrSpec(probability: 25, interval: 3, times: -1, space: 4096, verbose: 2))
        #expect(spec.failslab?.ignoreGFPWait == true)
        #expect(spec.failPageAlloc == nil)
    }

    @Test func theOptionKeepsTheWorkloadsOtherKnobs() throws {
        var workload = FaultInjectionSpec(failPageAlloc: FailPageAllocSpec(attr: FaultAttrSpec(verbose: 0), minOrder: 0))
        workload = workload.applying(failslab: nil, failPageAlloc: try FaultBootOption.parse("1,100,0,5", option: "--fail-page-alloc"))
        #expect(workload.failPageAlloc?.minOrder == 0)
        #expect(workload.failPageAlloc?.attr.verbose == 0)
        #expect(workload.failPageAlloc?.attr.times == 5)
    }

    @Test(arguments: [
        ("1,10,0", "--failslab: found '1,10,0', expected <interval>,<probability>,<space>,<times>"),
        ("1,101,0,-1", "--failslab: probability is '101', expected an integer within 0...100 (percent)"),
        ("0,10,0,-1", "--failslab: interval is '0', expected an integer within 1..."),
        ("1,10,-5,-1", "--failslab: space is '-5', expected an integer within 0..."),
        ("1,10,0,-2", "--failslab: times is '-2', expected an integer within -1..."),
        ("1,ten,0,-1", "--failslab: probability is 'ten'"),
    ])
    func badValuesNameTheFlagAndTheField(text: String, message: String) {
        #expect {
            _ = try FaultBootOption.parse(text, option: "--failslab")
        } throws: { error in
            (error as? FaultOptionError)?.message.hasPrefix(message) == true
        }
    }

    @Test func theErrorNamesTheKernelBootOption() {
        #expect {
            _ = try FaultBootOption.parse("x", option: "--fail-page-alloc")
        } throws: { error in
            (error as? FaultOptionError)?.message.contains("fail_page_alloc= boot option") == true
        }
    }
}
