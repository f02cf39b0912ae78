import Foundation
import Logging
import Testing

@testable import CoAP

/// Requests with explicit Block1/Block2 options (RFC 7959 §2.2–2.5): one PDU out, one PDU back with its block
/// options, against servers that are not this module: a raw UDP server written to RFC 7959 (`RawBlockServer`)
/// and libcoap's own `coap-server`.
@Suite(.serialized)
struct CoAPExplicitBlockTests {
    /// 5000 bytes whose value differs from block to block: four full 1024-byte blocks and one of 904.
    static let body: [UInt8] = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }

    /// How the client's session gets libcoap's block mode.
    enum Mode: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// The default: libcoap's block mode on the endpoint and the session.
        case libcoapBlockwise
        /// An endpoint configured with `libcoapBlockwise: false`.
        case plainEndpoint
        /// A default endpoint, and a session opened with `libcoapBlockwise: false`.
        case plainSession

        var testDescription: String { rawValue }
    }

    func withClient(
        _ mode: Mode = .libcoapBlockwise, port: UInt16, _ body: (CoAPEndpoint, CoAPSessionID) async throws -> Void
    ) async throws {
        var configuration = CoAPEndpoint.Configuration()
        configuration.libcoapBlockwise = mode != .plainEndpoint
        let client = CoAPEndpoint(
            configuration: configuration, logger: Logger(label: "explicit-block-test"), requestHandler: { _ in nil })
        try client.start()
        defer { client.stop() }
        let session = try await client.connect(
            host: "127.0.0.1", port: port, psk: nil, libcoapBlockwise: mode == .plainSession ? false : nil)
        try await body(client, session)
    }

    /// Whether `payload` is `body[range]` (a Bool, so that a failure does not print kilobytes).
    func isSlice(_ payload: [UInt8], _ range: Range<Int>) -> Bool {
        payload.elementsEqual(Self.body[range.clamped(to: 0..<Self.body.count)])
    }

    // MARK: - Block option values (RFC 7959 §2.2)

    @Test func blockOptionValuesEncodeAndDecodeAsRFC7959Says() throws {
        #expect(CoAPBlock(num: 0, more: false, szx: 0).optionValue == [])
        #expect(CoAPBlock(num: 0, more: true, szx: 6).optionValue == [0x0E])
        #expect(CoAPBlock(num: 3, more: false, szx: 6).optionValue == [0x36])
        #expect(CoAPBlock(num: 16, more: true, szx: 2).optionValue == [0x01, 0x0A])
        #expect(CoAPBlock(num: CoAPBlock.maxNumber, more: true, szx: 6).optionValue == [0xFF, 0xFF, 0xFE])
        #expect(CoAPBlock(optionValue: [0x36]) == CoAPBlock(num: 3, more: false, szx: 6))
        #expect(CoAPBlock(optionValue: []) == CoAPBlock(num: 0, more: false, szx: 0))
        #expect(CoAPBlock(optionValue: [0x0F]) == nil, "SZX 7 is BERT, not for UDP")
        #expect(CoAPBlock(optionValue: [1, 2, 3, 4]) == nil, "at most 3 bytes")
        for num: UInt32 in [0, 1, 15, 16, 4095, 4096, 299, CoAPBlock.maxNumber] {
            for szx: UInt8 in 0...6 {
                for more in [false, true] {
                    let block = CoAPBlock(num: num, more: more, szx: szx)
                    #expect(CoAPBlock(optionValue: block.optionValue) == block)
                }
            }
        }
        #expect(CoAPBlock(num: 3, more: true, szx: 6).size == 1024)
        #expect(CoAPBlock(num: 3, more: true, szx: 6).offset == 3072)
        #expect(CoAPBlock(containing: 300_000, size: 1024) == CoAPBlock(num: 292, more: false, szx: 6))
        #expect(CoAPBlock(containing: 10, size: 1000) == nil)
        #expect(CoAPBlock.szx(forSize: 512) == 5)
    }

    // MARK: - Block2 (RFC 7959 §2.4)

    @Test(arguments: Mode.allCases)
    func aGetOfBlockThreeReturnsThatBlockOnlyWithItsOptions(mode: Mode) async throws {
        let server = RawBlockServer(body: Self.body)
        defer { server.stop() }
        try await withClient(mode, port: server.port) { client, session in
            let response = try await client.send(
                CoAPRequest(method: .get, uriPath: ["big"], block2: CoAPBlock(num: 3, more: false, szx: 6)), on: session)
            #expect(response.code == .content)
            #expect(response.payload.count == 1024)
            #expect(isSlice(response.payload, 3072..<4096), "exactly bytes 3072..<4096")
            #expect(response.block2 == CoAPBlock(num: 3, more: true, szx: 6))
            #expect(response.etag == server.etag)
            #expect(response.size2 == 5000)

            let last = try await client.send(
                CoAPRequest(method: .get, uriPath: ["big"], block2: CoAPBlock(num: 4, more: false, szx: 6)), on: session)
            #expect(last.payload.count == 904)
            #expect(isSlice(last.payload, 4096..<5000))
            #expect(last.block2 == CoAPBlock(num: 4, more: false, szx: 6))
            #expect(last.etag == server.etag)
            // Give libcoap time to ask for more on its own, if it were to.
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.seen.map(\.block2) == [0x36, 0x46], "exactly the two blocks asked for, nothing else")
        }
    }

    @Test(arguments: [Mode.plainEndpoint, .plainSession])
    func blockZeroIsOneBlockOnASessionWithoutLibcoapBlockwise(mode: Mode) async throws {
        let server = RawBlockServer(body: Self.body)
        defer { server.stop() }
        try await withClient(mode, port: server.port) { client, session in
            let response = try await client.send(
                CoAPRequest(method: .get, uriPath: ["big"], block2: CoAPBlock(num: 0, more: false, szx: 6)), on: session)
            #expect(response.payload.count == 1024)
            #expect(isSlice(response.payload, 0..<1024))
            #expect(response.block2 == CoAPBlock(num: 0, more: true, szx: 6))
            #expect(response.etag == server.etag)
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.seen.map(\.block2) == [0x06])
        }
    }

    /// The fact behind `libcoapBlockwise`: libcoap 4.3.1 in block mode continues an explicit Block2 block 0.
    @Test func blockZeroOnALibcoapBlockwiseSessionIsContinuedByLibcoap() async throws {
        let server = RawBlockServer(body: Self.body)
        defer { server.stop() }
        try await withClient(.libcoapBlockwise, port: server.port) { client, session in
            let response = try await client.send(
                CoAPRequest(method: .get, uriPath: ["big"], block2: CoAPBlock(num: 0, more: false, szx: 6)), on: session)
            #expect(response.payload.count == 5000, "libcoap fetched and reassembled all blocks")
            #expect(response.block2 == nil)
            #expect(server.seen.map(\.block2) == [0x06, 0x16, 0x26, 0x36, 0x46])
        }
    }

    @Test func aSessionWithoutLibcoapBlockwiseGetsTheFirstBlockOfALargeBodyOnly() async throws {
        let server = RawBlockServer(body: Self.body)
        defer { server.stop() }
        try await withClient(.plainSession, port: server.port) { client, session in
            let response = try await client.send(CoAPRequest(method: .get, uriPath: ["big"]), on: session)
            #expect(response.payload.count == 1024)
            #expect(response.block2 == CoAPBlock(num: 0, more: true, szx: 6))
        }
    }

    @Test func aSmallerBlockSizeIsAskedForAndAnsweredInThatSize() async throws {
        let server = RawBlockServer(body: Self.body)
        defer { server.stop() }
        try await withClient(port: server.port) { client, session in
            let response = try await client.send(
                CoAPRequest(method: .get, uriPath: ["big"], block2: CoAPBlock(num: 9, more: false, szx: 4)), on: session)
            #expect(response.payload.count == 256)
            #expect(isSlice(response.payload, 2304..<2560))
            #expect(response.block2 == CoAPBlock(num: 9, more: true, szx: 4))
        }
    }

    @Test func aGetWithoutBlockOptionsStillGetsTheWholeBodyFromLibcoap() async throws {
        let server = RawBlockServer(body: Self.body)
        defer { server.stop() }
        try await withClient(port: server.port) { client, session in
            let response = try await client.send(CoAPRequest(method: .get, uriPath: ["big"]), on: session)
            #expect(response.code == .content)
            #expect(response.payload.count == 5000)
            #expect(isSlice(response.payload, 0..<5000))
            #expect(server.seen.count == 5)
        }
    }

    // MARK: - Block1 (RFC 7959 §2.5, §2.9.3)

    @Test(arguments: Mode.allCases)
    func aPutOfBlockZeroWithMoreGetsContinueAndTheRestIsSentBlockByBlock(mode: Mode) async throws {
        let server = RawBlockServer(body: Self.body)
        defer { server.stop() }
        try await withClient(mode, port: server.port) { client, session in
            let first = try await client.send(
                CoAPRequest(method: .put, uriPath: ["upload"], payload: Array(Self.body[0..<1024]),
                            block1: CoAPBlock(num: 0, more: true, szx: 6), size1: Self.body.count), on: session)
            #expect(first.code == .continue)
            #expect(first.block1 == CoAPBlock(num: 0, more: true, szx: 6))
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.seen.count == 1, "libcoap sent nothing of its own after the 2.31")
            #expect(server.seen.first?.payloadCount == 1024)
            #expect(server.seen.first?.size1 == 5000)
            for num in 1...4 {
                let more = num < 4
                let response = try await client.send(
                    CoAPRequest(method: .put, uriPath: ["upload"],
                                payload: Array(Self.body[(num * 1024)..<min(Self.body.count, num * 1024 + 1024)]),
                                block1: CoAPBlock(num: UInt32(num), more: more, szx: 6)), on: session)
                #expect(response.code == (more ? .continue : .changed))
                #expect(response.block1 == CoAPBlock(num: UInt32(num), more: more, szx: 6))
            }
            #expect(server.uploaded.count == 5000 && isSlice(server.uploaded, 0..<5000))
            #expect(server.seen.map(\.block1) == [0x0E, 0x1E, 0x2E, 0x3E, 0x46])
        }
    }

    @Test(arguments: [Mode.libcoapBlockwise, .plainSession])
    func aServerAsking413ForSmallerBlocksIsVisibleToTheCaller(mode: Mode) async throws {
        let server = RawBlockServer(body: Self.body, maxBlock1SZX: 5)
        defer { server.stop() }
        try await withClient(mode, port: server.port) { client, session in
            let refused = try await client.send(
                CoAPRequest(method: .put, uriPath: ["upload"], payload: Array(Self.body[0..<1024]),
                            block1: CoAPBlock(num: 0, more: true, szx: 6), size1: Self.body.count), on: session)
            #expect(refused.code == .requestEntityTooLarge)
            #expect(refused.block1 == CoAPBlock(num: 0, more: false, szx: 5))
            #expect(refused.size1 == 1 << 20)
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.seen.count == 1, "libcoap did not retry in the smaller size on its own")

            // The caller decides: it goes on in 512-byte blocks (RFC 7959 §2.9.3).
            let size = try #require(refused.block1).size
            var num = 0
            while num * size < Self.body.count {
                let end = min(Self.body.count, (num + 1) * size)
                let response = try await client.send(
                    CoAPRequest(method: .put, uriPath: ["upload"], payload: Array(Self.body[(num * size)..<end]),
                                block1: CoAPBlock(num: UInt32(num), more: end < Self.body.count, szx: 5)), on: session)
                #expect(response.code == (end < Self.body.count ? .continue : .changed))
                num += 1
            }
            #expect(server.uploaded.count == 5000 && isSlice(server.uploaded, 0..<5000))
            #expect(server.seen.count == 1 + 10)
        }
    }

    // MARK: - Against libcoap's coap-server

    /// libcoap's `coap-server` (`-d`: resources created by PUT) serves what a libcoap PUT stored, block by block.
    /// It sends an ETag (and Size2) only on the blocks of a transfer that started at block 0.
    @Test(arguments: [Mode.libcoapBlockwise, .plainSession])
    func coapServerAnswersAnExplicitBlockTwoWithThatBlock(mode: Mode) async throws {
        let binary = "/usr/bin/coap-server-notls"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "needs libcoap3-bin")
        let port = UInt16.random(in: 20000...29999)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-A", "127.0.0.1", "-p", "\(port)", "-d", "4"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // coap-server 4.3.1 does not stop on SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try await Task.sleep(for: .milliseconds(300))
        // Create the resource with the whole body (libcoap does Block1 with Size1 on both sides).
        try await withClient(.libcoapBlockwise, port: port) { client, session in
            let created = try await client.send(
                CoAPRequest(method: .put, uriPath: ["dyn"], payload: Self.body), on: session, timeout: .seconds(10))
            #expect(created.code == .created)
        }
        try await withClient(mode, port: port) { client, session in
            let blocks = mode == .plainSession ? [(0, true), (3, true), (4, false)] : [(3, true), (4, false)]
            for (num, more) in blocks {
                let response = try await client.send(
                    CoAPRequest(method: .get, uriPath: ["dyn"], block2: CoAPBlock(num: UInt32(num), more: false, szx: 6)),
                    on: session)
                #expect(response.code == .content)
                #expect(response.payload.count == (more ? 1024 : 904), "block \(num)")
                #expect(isSlice(response.payload, (num * 1024)..<(num * 1024 + 1024)), "block \(num)")
                #expect(response.block2 == CoAPBlock(num: UInt32(num), more: more, szx: 6))
                if num == 0 {
                    #expect(response.etag != nil)
                    #expect(response.size2 == 5000)
                }
            }
        }
    }
}
