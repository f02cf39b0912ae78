import Foundation
import Testing

/// A datagram storm against the live server (issue P8 item 4): random CoAP messages (valid headers, random
/// options and payloads), mutated and truncated copies of real Register, Update, Send, notification, ACK and Reset
/// messages, and DTLS records (well-formed headers, random and truncated bodies, replays) on both ports. Afterwards
/// the server still runs and answers, a device registers, and the values stored before the storm are all there.
/// `make test` sends 20,000 datagrams; `make storm` sends 1,000,000 (`LWM2M_STORM_DATAGRAMS`). The generator is
/// seeded (`LWM2M_STORM_SEED`, printed), so a failing storm can be replayed.
@Suite(.serialized)
struct StormEndToEndTests {
    /// xorshift64*: fast, seedable, good enough to pick bytes.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in byte() } }
    }

    /// Real messages to mutate: what devices send.
    static let templates: [[UInt8]] = {
        func message(code: UInt8, type: UInt8 = 0, token: [UInt8], options: [(UInt16, [UInt8])], payload: [UInt8]) -> [UInt8] {
            var bytes: [UInt8] = [0x40 | type << 4 | UInt8(token.count), code, 0x12, 0x34] + token
            var last: UInt16 = 0
            for (number, value) in options {
                let delta = number - last
                last = number
                func nibble(_ n: Int) -> (UInt8, [UInt8]) {
                    n < 13 ? (UInt8(n), []) : n < 269 ? (13, [UInt8(n - 13)]) : (14, [UInt8((n - 269) >> 8), UInt8((n - 269) & 0xFF)])
                }
                let (d, dx) = nibble(Int(delta)), (l, lx) = nibble(value.count)
                bytes += [d << 4 | l] + dx + lx + value
            }
            return payload.isEmpty ? bytes : bytes + [0xFF] + payload
        }
        let links = Array("</>;rt=\"oma.lwm2m\";ct=110,</1/0>,</3/0>,</3303/0>".utf8)
        return [
            message(code: 0x02, token: [1, 2, 3, 4], options: [(11, Array("rd".utf8)), (12, [40]),
                (15, Array("ep=storm-dev".utf8)), (15, Array("lt=60".utf8)), (15, Array("lwm2m=1.1".utf8))], payload: links),
            message(code: 0x02, token: [5, 6], options: [(11, Array("rd".utf8)), (11, Array("abcdef".utf8)),
                (15, Array("lt=120".utf8))], payload: []),
            message(code: 0x02, token: [7], options: [(11, Array("dp".utf8)), (12, [110])],
                payload: Array(#"[{"bn":"/3303/0/","n":"5700","v":21.5},{"n":"5701","vs":"Cel"}]"#.utf8)),
            message(code: 0x45, type: 1, token: [9, 9, 9, 9, 9, 9, 9, 9], options: [(6, [0x01, 0x02]), (12, [0x2D, 0x16])],
                payload: [0xC8, 0x00, 0x14] + Array("12345678901234567890".utf8)),
            message(code: 0x00, type: 2, token: [], options: [], payload: []),
            message(code: 0x00, type: 3, token: [], options: [], payload: []),
            message(code: 0x04, token: [1], options: [(11, Array("rd".utf8)), (11, Array("x".utf8))], payload: []),
        ]
    }()

    /// One datagram for the CoAP port.
    static func coapDatagram(_ random: inout Generator) -> [UInt8] {
        if random.below(2) == 0 {
            // A real message mutated: bytes flipped, truncated, or a part repeated.
            var bytes = templates[random.below(templates.count)]
            switch random.below(3) {
            case 0:
                for _ in 0...random.below(4) { bytes[random.below(bytes.count)] = random.byte() }
            case 1:
                bytes = Array(bytes.prefix(random.below(bytes.count) + 1))
            default:
                let start = random.below(bytes.count)
                bytes.insert(contentsOf: bytes[start...].prefix(random.below(16) + 1), at: random.below(bytes.count))
            }
            return bytes
        }
        // A valid header (version 1, any type, token length 0...8 and sometimes an invalid 9...15), then random
        // options and maybe a payload.
        let tokenLength = random.below(10) == 0 ? 9 + random.below(7) : random.below(9)
        let codes: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x07, 0x45, 0x44, 0x41, 0x84, 0xA0, 0x00, random.byte()]
        var bytes: [UInt8] = [0x40 | UInt8(random.below(4)) << 4 | UInt8(tokenLength), codes[random.below(codes.count)],
                              random.byte(), random.byte()] + random.bytes(min(tokenLength, 8))
        for _ in 0..<random.below(8) {
            let delta = random.below(16), length = random.below(16)
            bytes.append(UInt8(delta << 4 | length))
            if delta >= 13 { bytes += random.bytes(delta == 13 ? 1 : 2) }
            if length >= 13 { bytes += random.bytes(length == 13 ? 1 : 2) }
            bytes += random.bytes(min(length, 12))
        }
        if random.below(2) == 0 { bytes += [0xFF] + random.bytes(random.below(300)) }
        return bytes
    }

    /// One datagram for the DTLS port: DTLS 1.2 record headers with random bodies, handshake-shaped records,
    /// truncated records, several records in one datagram.
    static func dtlsDatagram(_ random: inout Generator, last: inout [UInt8]) -> [UInt8] {
        if random.below(8) == 0, !last.isEmpty { return last }  // a replay
        var datagram: [UInt8] = []
        for _ in 0...random.below(3) {
            let type: UInt8 = [20, 21, 22, 23, random.byte()][random.below(5)]
            let epoch: [UInt8] = random.below(2) == 0 ? [0, 0] : [0, UInt8(random.below(3))]
            var body = random.bytes(random.below(200))
            if type == 22, !body.isEmpty {
                body[0] = [1, 2, 3, 11, 12, 14, 16, 20][random.below(8)]  // handshake message types
            }
            let length = random.below(6) == 0 ? random.below(65_536) : body.count  // sometimes a lying length
            var record: [UInt8] = [type, 0xFE, random.below(4) == 0 ? 0xFF : 0xFD] + epoch + random.bytes(6)
                + [UInt8(length >> 8), UInt8(length & 0xFF)] + body
            if random.below(4) == 0 { record = Array(record.prefix(random.below(record.count) + 1)) }  // truncated
            datagram += record
        }
        last = datagram
        return datagram
    }

    /// Sends `count` datagrams from a few source ports, alternating the two ports (three CoAP to one DTLS).
    static func storm(count: Int, seed: UInt64, coap: UInt16, dtls: UInt16) throws {
        var random = Generator(state: seed == 0 ? 1 : seed)
        let sockets = (0..<4).map { _ in socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0) }
        defer { for fd in sockets { close(fd) } }
        guard sockets.allSatisfy({ $0 >= 0 }) else { throw E2EError("storm: no UDP socket") }
        func address(_ port: UInt16) -> sockaddr_in {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            return address
        }
        var targets = [address(coap), address(dtls)]
        var lastDTLS: [UInt8] = []
        for index in 0..<count {
            let toDTLS = index % 4 == 3
            let datagram = toDTLS ? dtlsDatagram(&random, last: &lastDTLS) : coapDatagram(&random)
            let fd = sockets[index % sockets.count]
            _ = datagram.withUnsafeBufferPointer { buffer in
                withUnsafePointer(to: &targets[toDTLS ? 1 : 0]) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            if index % 2_000 == 1_999 { usleep(2_000) }  // let the server breathe; drops are fine, crashes are not
        }
    }

    @Test func theServerSurvivesADatagramStormOnBothPortsAndLosesNothingStored() async throws {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["LWM2M_STORM_DATAGRAMS"].flatMap { Int($0) } ?? 20_000
        let seed = environment["LWM2M_STORM_SEED"].flatMap { UInt64($0) } ?? UInt64(Date().timeIntervalSince1970 * 1000)
        print("storm: \(count) datagrams, LWM2M_STORM_SEED=\(seed)")
        let server = ServerProcess(mode: .process)  // a crash shows as the process gone
        try await server.start()
        defer { Task { await server.stop() } }

        // Something stored before the storm.
        let device = "\(FreePort.udp())"
        let registered = try await CoAPClientTool.run(["-p", device, "-m", "post", "-t", "40", "-e", "</3303/0>",
                                                      "\(server.coapURL)/rd?ep=before-storm&lwm2m=1.1&lt=300"])
        #expect(registered.code == "2.01", "\(registered.output)")
        for value in [1.5, 2.5, 3.5] {
            let send = try await CoAPClientTool.run([
                "-p", device, "-m", "post", "-t", "110", "-e", #"[{"n":"/3303/0/5700","v":\#(value)}]"#, "\(server.coapURL)/dp",
            ])
            #expect(send.code == "2.04", "\(send.output)")
            try await Task.sleep(for: .milliseconds(20))
        }
        func stored() async throws -> [Double] {
            let (_, data) = try await server.http("GET", "/api/v1/endpoints/before-storm/telemetry?path=/3303/0/5700&limit=100")
            let page = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return (page?["values"] as? [[String: Any]] ?? []).compactMap { ($0["value"] as? NSNumber)?.doubleValue }.sorted()
        }
        try await server.eventually("the three values are stored") { try await stored() == [1.5, 2.5, 3.5] }

        let (coap, dtls) = (server.coapPort, server.coapsPort)
        let started = ContinuousClock.now
        try await onOwnThread { try Self.storm(count: count, seed: seed, coap: coap, dtls: dtls) }
        print("storm: sent in \(ContinuousClock.now - started)")
        try await Task.sleep(for: .seconds(2))

        #expect(server.isRunning, "the server died; log tail:\n\(server.log.suffix(3000))")
        #expect(try await server.http("GET", "/healthz", token: nil).0 == 200)
        #expect(try await stored() == [1.5, 2.5, 3.5], "nothing stored before the storm is lost")
        // It still serves devices: a new one registers (from another source address than the storm's, whose
        // registers may be rate-limited) and the old one updates.
        let after = try await CoAPClientTool.run(["-a", "127.0.0.3", "-m", "post", "-t", "40", "-e", "</3/0>",
                                                 "\(server.coapURL)/rd?ep=after-storm&lt=60"])
        #expect(after.code == "2.01", "\(after.output)")
        #expect(!server.log.contains("Fatal error"))
    }
}
