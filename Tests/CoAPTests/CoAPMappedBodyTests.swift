import Foundation
import Logging
import Synchronization
import Testing

@testable import CoAP

/// A mapped body served by a listening endpoint one Block2 block per request (RFC 7959 §2.4): the block asked
/// for, at most 1024 bytes, with the same ETag and Size2 on every block, a larger size asked for answered in the
/// smaller one from the same offset, a block beyond the end 4.02, and every block served reported once.
@Suite(.serialized)
struct CoAPMappedBodyTests {
    /// 5000 bytes: four full 1024-byte blocks and one of 904.
    static let body: [UInt8] = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 8) }

    final class Served: Sendable {
        let blocks = Mutex<[Int]>([])
    }

    static let key: [UInt8] = Array("0123456789abcdef".utf8)

    /// A server answering `/image` with the mapped body; `dtls`: the port handed over is its DTLS port (PSK
    /// `dev-1`/`key`).
    func withServer(dtls: Bool = false, _ body: (CoAPEndpoint, UInt16, Served) async throws -> Void) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString).bin")
        try Data(Self.body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let served = Served()
        let mapped = try CoAPMappedBody(file: file, etag: 0x0102_0304_0506_0708) { count in
            served.blocks.withLock { $0.append(count) }
        }
        let lookup: @Sendable ([UInt8]) -> [UInt8]? = { identity in identity == Array("dev-1".utf8) ? Self.key : nil }
        let pskKey = dtls ? lookup : nil
        let server = CoAPEndpoint(
            configuration: .init(bindHost: "127.0.0.1", bindPort: 0, dtlsBindPort: dtls ? 0 : nil, pskKey: pskKey),
            logger: Logger(label: "mapped-body-test")
        ) { inbound in
            inbound.request.path == "/image"
                ? CoAPResponse(code: .content, contentFormat: 42, mappedBody: mapped)
                : .error(.notFound, "no such resource")
        }
        try server.start()
        defer { server.stop() }
        try await body(server, try #require(dtls ? server.boundDTLSPort : server.boundPort), served)
    }

    func withClient(
        port: UInt16, libcoapBlockwise: Bool, dtls: Bool = false,
        _ body: (CoAPEndpoint, CoAPSessionID) async throws -> Void
    ) async throws {
        var configuration = CoAPEndpoint.Configuration()
        configuration.libcoapBlockwise = libcoapBlockwise
        let client = CoAPEndpoint(
            configuration: configuration, logger: Logger(label: "mapped-body-client"), requestHandler: { _ in nil })
        try client.start()
        defer { client.stop() }
        let session = try await client.connect(
            host: "127.0.0.1", port: port, psk: dtls ? .init(identity: Array("dev-1".utf8), key: Self.key) : nil)
        try await body(client, session)
    }

    @Test func eachRequestGetsTheBlockItAsksForWithTheSameETagAndSize2() async throws {
        try await withServer { _, port, served in
            try await withClient(port: port, libcoapBlockwise: false) { client, session in
                let etag: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
                // No Block2: block 0 in 1024 bytes, more to come.
                let first = try await client.send(CoAPRequest(method: .get, uriPath: ["image"]), on: session)
                #expect(first.code == .content)
                #expect(first.contentFormat == 42)
                #expect(first.block2 == CoAPBlock(num: 0, more: true, szx: 6))
                #expect(first.payload.elementsEqual(Self.body[0..<1024]))
                #expect(first.etag == etag)
                #expect(first.size2 == 5000)
                // A client resuming at block 7 of 64-byte blocks.
                let resumed = try await client.send(
                    CoAPRequest(method: .get, uriPath: ["image"], block2: CoAPBlock(num: 7, more: false, szx: 2)),
                    on: session)
                #expect(resumed.block2 == CoAPBlock(num: 7, more: true, szx: 2))
                #expect(resumed.payload.elementsEqual(Self.body[448..<512]))
                #expect(resumed.etag == etag)
                // The last block is short and says no more follow.
                let last = try await client.send(
                    CoAPRequest(method: .get, uriPath: ["image"], block2: CoAPBlock(num: 4, more: false, szx: 6)),
                    on: session)
                #expect(last.block2 == CoAPBlock(num: 4, more: false, szx: 6))
                #expect(last.payload.elementsEqual(Self.body[4096..<5000]))
                #expect(last.size2 == 5000)
                // Beyond the end: 4.02, nothing served.
                let beyond = try await client.send(
                    CoAPRequest(method: .get, uriPath: ["image"], block2: CoAPBlock(num: 5, more: false, szx: 6)),
                    on: session)
                #expect(beyond.code == .badOption, "\(beyond.payloadText)")
                #expect(served.blocks.withLock { $0 } == [1024, 64, 904])
            }
        }
    }

    @Test func libcoapsBlockwiseClientFetchesTheWholeBodyBlockByBlock() async throws {
        try await withServer { _, port, served in
            try await withClient(port: port, libcoapBlockwise: true) { client, session in
                let response = try await client.send(CoAPRequest(method: .get, uriPath: ["image"]), on: session)
                #expect(response.code == .content)
                #expect(response.payload == Self.body)
                #expect(served.blocks.withLock { $0 } == [1024, 1024, 1024, 1024, 904])
            }
        }
    }

    @Test func overDTLSTheBodyComesWholeInBlocksThatFitTheSession() async throws {
        try await withServer(dtls: true) { _, port, served in
            try await withClient(port: port, libcoapBlockwise: true, dtls: true) { client, session in
                let response = try await client.send(
                    CoAPRequest(method: .get, uriPath: ["image"]), on: session, timeout: .seconds(10))
                #expect(response.code == .content)
                #expect(response.payload == Self.body)
                let blocks = served.blocks.withLock { $0 }
                #expect(blocks.reduce(0, +) == 5000, "\(blocks)")
                #expect(blocks.dropLast().allSatisfy { $0 == blocks[0] } && [512, 1024].contains(blocks[0]), "\(blocks)")
            }
        }
    }

    @Test func theBlockSliceFollowsTheSizeCapAndTheOffsetOfTheRequest() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("slice-\(UUID().uuidString).bin")
        try Data(Self.body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let mapped = try CoAPMappedBody(file: file, etag: 9)
        // 1024-byte block 2 asked of a 256-byte cap: the same offset (2048), block 8 of 256.
        let capped = try #require(mapped.block(for: CoAPBlock(num: 2, more: false, szx: 6), maxSZX: 4))
        #expect(capped.block == CoAPBlock(num: 8, more: true, szx: 4))
        #expect(Array(capped.bytes).elementsEqual(Self.body[2048..<2304]))
        let none = try #require(mapped.block(for: nil, maxSZX: 5))
        #expect(none.block == CoAPBlock(num: 0, more: true, szx: 5))
        #expect(mapped.block(for: CoAPBlock(num: 78, more: false, szx: 2), maxSZX: 6)?.block
            == CoAPBlock(num: 78, more: false, szx: 2), "bytes 4992..<5000 are the last 8")
        #expect(mapped.block(for: CoAPBlock(num: 79, more: false, szx: 2), maxSZX: 6) == nil, "5056 is beyond 5000")
    }
}
