/// The protobuf wire format (protobuf.dev/programming-guides/encoding), the few pieces a Perfetto trace
/// needs: varints, fixed64, doubles, strings and nested messages. Hand-written rather than generated with
/// swift-protobuf: the trace uses five messages and a dozen fields, and the plugin's first build takes
/// about ten minutes on a 2-core host; the field numbers come from Perfetto's
/// protos/perfetto/trace/{trace_packet,track_event/track_event,track_event/track_descriptor}.proto and are
/// checked against the protos Perfetto ships (Scripts/check-perfetto-trace.py).
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
    }

    mutating func rawVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func tag(_ field: Int, _ type: WireType) {
        rawVarint(UInt64(field) << 3 | type.rawValue)
    }

    /// A uint64/uint32/enum/bool field.
    mutating func varint(_ field: Int, _ value: UInt64) {
        tag(field, .varint)
        rawVarint(value)
    }

    /// An int64/int32 field (two's complement, ten bytes when negative, as protobuf encodes them).
    mutating func int(_ field: Int, _ value: Int64) {
        varint(field, UInt64(bitPattern: value))
    }

    mutating func fixed64(_ field: Int, _ value: UInt64) {
        tag(field, .fixed64)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func double(_ field: Int, _ value: Double) {
        fixed64(field, value.bitPattern)
    }

    mutating func string(_ field: Int, _ value: String) {
        tag(field, .lengthDelimited)
        let utf8 = Array(value.utf8)
        rawVarint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Appends already-encoded bytes (a message's fields written separately).
    mutating func appendRaw(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// A nested message written by `body`.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        tag(field, .lengthDelimited)
        rawVarint(UInt64(nested.bytes.count))
        bytes.append(contentsOf: nested.bytes)
    }
}
