import ArgumentParser
import Foundation
import LwM2M

/// `lwm2m-bench decode`: what decoding one report costs, per payload kind, by the route reports take now
/// (`decodeValues`: records straight to values) and by the node route they took before issue 10 (records → leaves
/// → nodes → leaves, `decodeTimestamped` flattened), in one run on this machine. `scripts/bench.sh` sets it
/// against the CoAP I/O thread's budget per received report, to judge whether decoding belongs on that thread.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode", abstract: "Report decoding cost: decodeValues against the node route, per payload.")

    @Option(help: "Measurement time per payload and route, in seconds.")
    var seconds: Double = 1

    /// A report payload as devices send it.
    struct Payload {
        let name: String
        let format: ContentFormat
        let bytes: [UInt8]
        let path: LwM2MPath
    }

    func run() throws {
        let (model, _, builtin) = ObjectModelRegistry.loadBuiltin()
        guard builtin != nil else {
            throw ValidationError("built-in object definitions not found; set LWM2M_OBJECT_DEFINITIONS")
        }
        let codecs = LwM2MCodecRegistry.standard
        let temperature = try LwM2MPath("/3303/0/5700")
        var history = #"[{"bn":"/3303/0/","bt":1700000000,"n":"5700","v":21.5}"#
        for second in 1..<10 { history += #",{"n":"5700","t":\#(-second),"v":2\#(second).25}"# }
        history += "]"
        let historyGroups = try codecs.decodeTimestamped(Array(history.utf8), format: .senmlJSON, model: model)
        let payloads = [
            Payload(name: "text-1", format: .text, bytes: Array("21.5".utf8), path: temperature),
            Payload(name: "senml-json-1", format: .senmlJSON,
                    bytes: Array(#"[{"n":"/3303/0/5700","v":21.5}]"#.utf8), path: temperature),
            Payload(name: "senml-json-10-timed", format: .senmlJSON, bytes: Array(history.utf8), path: temperature),
            Payload(name: "senml-cbor-10-timed", format: .senmlCBOR,
                    bytes: try codecs.encodeTimestamped(historyGroups, format: .senmlCBOR, model: model),
                    path: temperature),
        ]
        for payload in payloads {
            let values = { try codecs.decodeValues(payload.bytes, format: payload.format, model: model).count }
            let nodes = {
                try codecs.decodeTimestamped(payload.bytes, format: payload.format, model: model).reduce(0) { sum, group in
                    sum + group.nodes.sorted { $0.key < $1.key }.reduce(0) { $0 + $1.value.leaves(at: $1.key).count }
                }
            }
            guard codecs.codec(for: payload.format) is any LwM2MMultiNodeCodec else {
                // Single-value formats have one route: the node at the observed path, then its values.
                let route = {
                    try codecs.decode(payload.bytes, format: payload.format, path: payload.path, model: model)
                        .leaves(at: payload.path).count
                }
                let rate = try Self.bestRate(seconds: seconds, route)
                print(String(format: "decode payload=%@ values=%d bytes=%d one_route_per_second=%.0f ns_per_report=%.0f",
                             payload.name, try route(), payload.bytes.count, rate, 1e9 / rate))
                continue
            }
            // Interleaved, best of three each: frequency scaling and the other process on the core hit both alike.
            var valuesRate = 0.0
            var nodesRate = 0.0
            for _ in 0..<3 {
                valuesRate = max(valuesRate, try Self.rate(seconds: seconds / 3, values))
                nodesRate = max(nodesRate, try Self.rate(seconds: seconds / 3, nodes))
            }
            print(String(
                format: "decode payload=%@ values=%d bytes=%d values_route_per_second=%.0f node_route_per_second=%.0f speedup=%.2f ns_per_report=%.0f",
                payload.name, try values(), payload.bytes.count, valuesRate, nodesRate, valuesRate / nodesRate,
                1e9 / valuesRate))
        }
    }

    /// The best of three measurements of `body`, `seconds` in all.
    static func bestRate(seconds: Double, _ body: () throws -> Int) throws -> Double {
        var best = 0.0
        for _ in 0..<3 { best = max(best, try rate(seconds: seconds / 3, body)) }
        return best
    }

    /// Calls per second of `body` over `seconds` (after a tenth as warm-up).
    static func rate(seconds: Double, _ body: () throws -> Int) throws -> Double {
        let clock = ContinuousClock()
        var sink = 0
        let warmUp = clock.now + .milliseconds(Int(seconds * 100))
        while clock.now < warmUp { sink &+= try body() }
        var calls = 0
        let start = clock.now
        let end = start + .milliseconds(Int(seconds * 1000))
        while clock.now < end {
            for _ in 0..<64 { sink &+= try body() }
            calls += 64
        }
        let elapsed = clock.now - start
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if sink == -1 { print("") }  // keeps the work observable
        return Double(calls) / elapsedSeconds
    }
}
