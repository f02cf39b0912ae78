import Foundation
import Testing

/// A notification is believed only from the client that was observed: its token alone proves nothing, since plain
/// CoAP carries it in the clear. A forger on another address, or in plaintext for a DTLS device, gets a Reset and
/// nothing is stored, while the real device's notifications go on being stored.
@Suite(.serialized)
struct ForgedNotificationEndToEndTests {
    static let forgedValue = -273.5

    func json(_ data: Data) throws -> Any { try JSONSerialization.jsonObject(with: data) }

    /// The stored values of `/3303/0/5700`, oldest first.
    func temperatures(_ server: ServerProcess, _ endpoint: String) async throws -> [Double] {
        let (status, data) = try await server.http(
            "GET", "/api/v1/endpoints/\(endpoint)/telemetry?path=/3303/0/5700&order=asc&limit=1000")
        guard status == 200 else { throw E2EError("telemetry \(status): \(String(decoding: data, as: UTF8.self))") }
        let page = try #require(try json(data) as? [String: Any])
        return (page["values"] as? [[String: Any]] ?? []).compactMap { ($0["value"] as? NSNumber)?.doubleValue }
    }

    /// Observes the temperature of `endpoint` and returns the observation's token.
    func observeTemperature(_ server: ServerProcess, _ endpoint: String) async throws -> [UInt8] {
        let body = try JSONSerialization.data(withJSONObject: [
            "paths": ["/3303/0/5700"], "attributes": ["pmin": 0, "pmax": 1],
        ])
        let (status, data) = try await server.http("POST", "/api/v1/endpoints/\(endpoint)/observations", body: body)
        #expect(status == 201, "\(String(decoding: data, as: UTF8.self))")
        let (_, listing) = try await server.http("GET", "/api/v1/endpoints/\(endpoint)/observations")
        let observations = try #require(try json(listing) as? [[String: Any]])
        let hex = try #require(observations.first { ($0["paths"] as? [String]) == ["/3303/0/5700"] }?["token"] as? String)
        return stride(from: 0, to: hex.count, by: 2).map {
            let start = hex.index(hex.startIndex, offsetBy: $0)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
    }

    @Test func notificationsWithAnObservationsTokenFromAnyoneElseAreResetAndNotStored() async throws {
        let server = ServerProcess(mode: .process)  // checks /metrics: process-wide counters
        let coapsPort = FreePort.udp()
        try await server.start(extraArguments: ["--coaps-port", "\(coapsPort)"])
        defer { Task { await server.stop() } }
        let key = SecurityEndToEndTests.keyHex
        let provisioned = try await server.http(
            "PUT", "/api/v1/security/fs-1", body: try JSONSerialization.data(withJSONObject: ["key": key])).0
        #expect(provisioned == 201)
        let secure = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", "coaps://127.0.0.1:\(coapsPort)", "--psk-key", key, "--count", "1",
                        "--prefix", "fs-", "--lifetime", "120"],
            logURL: server.dataDir.appendingPathComponent("sim-dtls.log"))
        defer { Task { await secure.stop(signal: SIGKILL) } }
        let plain = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "1", "--prefix", "fp-", "--lifetime", "120"],
            logURL: server.dataDir.appendingPathComponent("sim-udp.log"))
        defer { Task { await plain.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(20), "both devices registered") {
            let secureOnline = try await server.endpoint("fs-1")?["online"] as? Bool == true
            let plainOnline = try await server.endpoint("fp-1")?["online"] as? Bool == true
            return secureOnline && plainOnline
        }
        #expect(try await server.endpoint("fs-1")?["transport"] as? String == "dtls")

        for endpoint in ["fs-1", "fp-1"] {
            let token = try await observeTemperature(server, endpoint)
            try await server.eventually("\(endpoint): real notifications are stored") {
                try await temperatures(server, endpoint).count >= 2
            }
            // The forger knows the token (plain CoAP shows it to anyone on the path) and sends from its own
            // address, in plaintext, to the plain CoAP port: Reset, whatever the device's transport.
            let forger = try ForgedNotifier()
            defer { forger.close() }
            for attempt in 0..<3 {
                let messageID = UInt16(0x4200 + attempt)
                let reply = try forger.notify(
                    port: server.coapPort, token: token, messageID: messageID, observe: 0x7F_FF00 + UInt32(attempt),
                    payload: "\(Self.forgedValue)")
                #expect(reply?.isReset(messageID: messageID) == true, "\(endpoint): no Reset for a forged notification")
            }
            // The real device's notifications are still believed, and the forged value was never stored.
            let count = try await temperatures(server, endpoint).count
            try await server.eventually("\(endpoint): real notifications go on") {
                try await temperatures(server, endpoint).count >= count + 2
            }
            #expect(!(try await temperatures(server, endpoint)).contains(Self.forgedValue), "\(endpoint): forged value stored")
            let (_, listing) = try await server.http("GET", "/api/v1/endpoints/\(endpoint)/observations")
            #expect((try json(listing) as? [[String: Any]])?.count == 1, "\(endpoint): the observation must stay")
        }
        #expect(server.log.contains("notification refused: not from the observed client"))
        #expect(server.log.contains("is reached only over DTLS; this came as plain CoAP"))
        #expect(server.log.contains("is registered at 127.0.0.1:"))
        let (_, metrics) = try await server.http("GET", "/metrics")
        #expect(String(decoding: metrics, as: UTF8.self).contains("lwm2m_notifications_refused_total{reason=\"sender\"} 6"))
    }
}

/// A plain UDP socket of the test's own that sends a CoAP notification (NON 2.05 with Observe, RFC 7641 §3.2)
/// built byte by byte, and reads one reply.
final class ForgedNotifier {
    private let fd: Int32

    struct Reply {
        let bytes: [UInt8]
        /// A Reset (type 3, empty) for `messageID` (RFC 7252 §4.3).
        func isReset(messageID: UInt16) -> Bool {
            bytes.count == 4 && bytes[0] >> 4 & 0x3 == 3 && bytes[1] == 0
                && UInt16(bytes[2]) << 8 | UInt16(bytes[3]) == messageID
        }
    }

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket failed") }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends a NON 2.05 notification with `token`, an Observe number, Content-Format text/plain and `payload` to
    /// 127.0.0.1:`port`; returns the reply, or `nil` after 3 s.
    func notify(port: UInt16, token: [UInt8], messageID: UInt16, observe: UInt32, payload: String) throws -> Reply? {
        precondition(token.count <= 8)
        var datagram: [UInt8] = [0x50 | UInt8(token.count), 0x45, UInt8(messageID >> 8), UInt8(messageID & 0xFF)]
        datagram += token
        // Observe (6): 3-byte value; Content-Format (12, delta 6): 0 = text/plain, sent as an empty uint.
        datagram += [0x63, UInt8(observe >> 16 & 0xFF), UInt8(observe >> 8 & 0xFF), UInt8(observe & 0xFF), 0x60]
        datagram += [0xFF] + Array(payload.utf8)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, datagram, datagram.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == datagram.count else { throw E2EError("sendto failed: errno \(errno)") }
        var buffer = [UInt8](repeating: 0, count: 1500)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? Reply(bytes: Array(buffer[0..<count])) : nil
    }

    func close() { Glibc.close(fd) }
}
