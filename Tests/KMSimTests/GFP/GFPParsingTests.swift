import Testing
@testable import KMSim

@Suite struct GFPParsingTests {
    static let compositeNames = [
        "GFP_ATOMIC", "GFP_KERNEL", "GFP_KERNEL_ACCOUNT", "GFP_NOWAIT", "GFP_NOIO", "GFP_NOFS", "GFP_USER",
        "GFP_DMA", "GFP_DMA32", "GFP_HIGHUSER", "GFP_HIGHUSER_MOVABLE", "GFP_TRANSHUGE_LIGHT", "GFP_TRANSHUGE",
    ]

    @Test(arguments: compositeNames)
    func compositesRoundTrip(name: String) throws {
        let parsed = try GFPFlags.parse(name)
        #expect(parsed.flags.description == name)
        #expect(parsed.warnings.isEmpty)
        #expect(try GFPFlags.parse(parsed.flags.hexString).flags == parsed.flags)
    }

    @Test(arguments: [
        "GFP_KERNEL|__GFP_ZERO", "GFP_ATOMIC|__GFP_NOWARN", "GFP_HIGHUSER_MOVABLE|__GFP_COMP",
        "GFP_KERNEL_ACCOUNT|__GFP_NOFAIL", "GFP_NOWAIT|__GFP_ACCOUNT", "GFP_NOIO|__GFP_NORETRY",
    ])
    func compositesWithExtraBitsRoundTrip(expression: String) throws {
        #expect(try GFPFlags.parse(expression).flags.description == expression)
    }

    @Test func acceptsSpacesNumbersAndBitNames() throws {
        #expect(try GFPFlags.parse("GFP_KERNEL | __GFP_ZERO").flags.rawValue == 0xdc0)
        #expect(try GFPFlags.parse("  0xcc0 ").flags == .kernel)
        #expect(try GFPFlags.parse("0XCC0").flags == .kernel)
        #expect(try GFPFlags.parse("3264").flags == .kernel)
        #expect(try GFPFlags.parse("0x800|__GFP_NOWARN").flags.description == "GFP_NOWAIT")
        #expect(try GFPFlags.parse("__GFP_DMA|__GFP_MOVABLE").flags.rawValue == 0x9)
        #expect(try GFPFlags.parse("__GFP_DMA32").flags.description == "GFP_DMA32")
        #expect(try GFPFlags.parse("__GFP_RECLAIM|__GFP_IO|__GFP_FS").flags.description == "GFP_KERNEL")
    }

    @Test func oldNamesAreAcceptedWithAWarning() throws {
        let wait = try GFPFlags.parse("__GFP_WAIT|__GFP_IO|__GFP_FS")
        #expect(wait.flags == .kernel)
        #expect(wait.warnings.count == 1)
        #expect(wait.warnings.first?.contains("__GFP_RECLAIM") == true)

        let highIO = try GFPFlags.parse("GFP_KERNEL|__GFP_HIGHIO")
        #expect(highIO.flags == .kernel)
        #expect(highIO.warnings.count == 1)
        #expect(highIO.warnings.first?.contains("__GFP_HIGHIO") == true)
    }

    @Test func errorsNameTheToken() {
        #expect(throws: GFPParseError.emptyExpression) { try GFPFlags.parse("") }
        #expect(throws: GFPParseError.emptyExpression) { try GFPFlags.parse("   ") }
        #expect(throws: GFPParseError.emptyToken(position: 2)) { try GFPFlags.parse("GFP_KERNEL||__GFP_ZERO") }
        #expect(throws: GFPParseError.emptyToken(position: 2)) { try GFPFlags.parse("GFP_KERNEL|") }
        #expect(throws: GFPParseError.unknownFlag("__GFP_FOO", suggestion: nil)) { try GFPFlags.parse("GFP_KERNEL|__GFP_FOO") }
        #expect(throws: GFPParseError.unknownFlag("gfp_kernel", suggestion: "GFP_KERNEL")) { try GFPFlags.parse("gfp_kernel") }
        #expect(throws: GFPParseError.invalidNumber("0xzz")) { try GFPFlags.parse("0xzz") }
        #expect(throws: GFPParseError.invalidNumber("0x100000000")) { try GFPFlags.parse("0x100000000") }
        #expect(throws: GFPParseError.unknownBits(token: "0x200", bits: 0x200)) { try GFPFlags.parse("0x200") }
        #expect(throws: GFPParseError.unknownBits(token: "0x1000cc0", bits: 0x1000000)) { try GFPFlags.parse("0x1000cc0") }
    }

    @Test func errorDescriptionsMentionTheOffender() {
        #expect(GFPParseError.unknownFlag("__GFP_FOO", suggestion: nil).description.contains("'__GFP_FOO'"))
        #expect(GFPParseError.emptyToken(position: 3).description.contains("position 3"))
        #expect(GFPParseError.emptyExpression.description.contains("empty"))
        let atomicBit = GFPParseError.unknownBits(token: "0x200", bits: 0x200).description
        #expect(atomicBit.contains("__GFP_ATOMIC") && atomicBit.contains("removed"))
        let removed = GFPParseError.removedFlag("__GFP_ATOMIC", note: "gone").description
        #expect(removed.contains("'__GFP_ATOMIC'"))
        #expect(throws: GFPParseError.self) { try GFPFlags.parse("GFP_KERNEL|__GFP_ATOMIC") }
    }
}
