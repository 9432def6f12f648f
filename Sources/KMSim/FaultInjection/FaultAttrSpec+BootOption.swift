import Foundation

/// The boot options `failslab=` and `fail_page_alloc=`: `<interval>,<probability>,<space>,<times>`,
/// read by `setup_fault_attr()` (lib/fault-inject.c), which sets those four fields and leaves the rest.
public struct FaultBootOption: Sendable, Equatable {
    public var interval: Int
    public var probability: Int
    public var space: Int
    public var times: Int

    public init(interval: Int, probability: Int, space: Int, times: Int) {
        self.interval = interval
        self.probability = probability
        self.space = space
        self.times = times
    }

    /// Parses `1,100,0,-1`; the error names `option` (`--failslab`) and the field that is wrong.
    public static func parse(_ text: String, option: String) throws(FaultOptionError) -> FaultBootOption {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: .whitespaces)
        }
        guard fields.count == 4 else {
            throw FaultOptionError(message: "\(option): found '\(text)', expected <interval>,<probability>,<space>,<times> "
                + "such as 1,10,0,-1 (four comma-separated integers, as the kernel's \(option.dropFirst(2).replacingOccurrences(of: "-", with: "_"))= boot option)")
        }
        func field(_ index: Int, _ name: String, _ range: ClosedRange<Int>) throws(FaultOptionError) -> Int {
            guard let value = Int(fields[index]), range.contains(value) else {
                throw FaultOptionError(message: "\(option): \(name) is '\(fields[index])', expected an integer within "
                    + "\(range.lowerBound)...\(range.upperBound)" + Self.hint(name))
            }
            return value
        }
        return FaultBootOption(interval: try field(0, "interval", FaultAttrSpec.intervalRange),
                               probability: try field(1, "probability", FaultAttrSpec.probabilityRange),
                               space: try field(2, "space", FaultAttrSpec.spaceRange),
                               times: try field(3, "times", FaultAttrSpec.timesRange))
    }

    static func hint(_ name: String) -> String {
        switch name {
        case "probability": return " (percent)"
        case "times": return " (-1: no limit)"
        case "space": return " (bytes for failslab, pages for fail_page_alloc)"
        default: return ""
        }
    }

    /// `setup_fault_attr()`: the four fields set, the others kept.
    public func applied(to attr: FaultAttrSpec) -> FaultAttrSpec {
        var attr = attr
        attr.interval = interval
        attr.probability = probability
        attr.space = space
        attr.times = times
        return attr
    }
}

/// A bad `--failslab` / `--fail-page-alloc` value.
public struct FaultOptionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension FaultInjectionSpec {
    /// The spec with the boot options' fields set (`failslab=`, `fail_page_alloc=`): a capability the
    /// spec leaves out is configured with the defaults of its other knobs.
    public func applying(failslab: FaultBootOption?, failPageAlloc: FaultBootOption?) -> FaultInjectionSpec {
        var spec = self
        if let failslab {
            var slab = spec.failslab ?? FailSlabSpec()
            slab.attr = failslab.applied(to: slab.attr)
            spec.failslab = slab
        }
        if let failPageAlloc {
            var pages = spec.failPageAlloc ?? FailPageAllocSpec()
            pages.attr = failPageAlloc.applied(to: pages.attr)
            spec.failPageAlloc = pages
        }
        return spec
    }
}
