/// A GFP mask as the workload wrote it and as `GFPFlags.parse` read it.
///
/// The text is kept for reports ("what you asked for"); `flags` is what the allocator gets. A parsed spec
/// only holds masks whose zone modifiers `gfp_zone()` accepts.
public struct GFPSpec: Sendable, Equatable {
    public var expression: String
    public var flags: GFPFlags

    public init(expression: String, flags: GFPFlags) {
        self.expression = expression
        self.flags = flags
    }

    /// `GFP_KERNEL`, the default for process context.
    public static let kernel = GFPSpec(expression: "GFP_KERNEL", flags: .kernel)
    /// `GFP_ATOMIC`, the default for interrupt handlers.
    public static let atomic = GFPSpec(expression: "GFP_ATOMIC", flags: .atomic)
}
