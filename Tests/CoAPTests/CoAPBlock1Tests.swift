import Foundation
import Logging
import Synchronization
import Testing

@testable import CoAP

/// Block-wise requests (RFC 7959 §2.5) from a device written by hand: with and without Size1 (optional, §4),
/// the handler sees the whole body once; libcoap 4.3.1 alone passes each block of a transfer without Size1 to the
/// handler as if it were the whole body.
@Suite(.serialized)
struct CoAPBlock1Tests {
    static let body = Array("</1/0>,</3/0>,</4/0>,</5/0>,</6/0>".utf8)  // 34 bytes: three blocks of 16

    func withServer(
        maxBlock1Size: Int? = nil, _ body: (RawCoAPDevice, @Sendable () -> [[UInt8]]) async throws -> Void
    ) async throws {
        let bodies = Mutex<[[UInt8]]>([])
        var configuration = CoAPEndpoint.Configuration(bindHost: "127.0.0.1", bindPort: 0)
        configuration.maxBlock1Size = maxBlock1Size
        if maxBlock1Size != nil { configuration.libcoapBlockwise = false }
        let server = CoAPEndpoint(
            configuration: configuration, logger: Logger(label: "block1-test"),
            requestHandler: { inbound in
                bodies.withLock { $0.append(inbound.request.payload) }
                return CoAPResponse(code: .created)
            })
        try server.start()
        defer { server.stop() }
        let device = try RawCoAPDevice(serverPort: try #require(server.boundPort))
        try await body(device, { bodies.withLock { $0 } })
    }

    @Test(arguments: [false, true])
    func aBlockwiseBodyIsReassembled(withSize1: Bool) async throws {
        try await withServer { device, bodies in
            let blocks = stride(from: 0, to: Self.body.count, by: 16).map { Array(Self.body[$0..<min($0 + 16, Self.body.count)]) }
            for (number, block) in blocks.enumerated() {
                let more = number < blocks.count - 1
                device.postBlock(path: "rd", mid: UInt16(100 + number), token: [0x0A, UInt8(number)], number: number,
                                 more: more, szx: 0, payload: block,
                                 size1: withSize1 && number == 0 ? Self.body.count : nil)
                let answer = try await device.next()
                let echoed = answer.options.first { $0.0 == 27 }?.1
                if more {
                    #expect(answer.code == 0x5F, "block \(number): 2.31 Continue")  // 2.31
                    #expect(echoed == (number == 0 ? [0x08] : [UInt8(number << 4 | 0x8)]))
                } else {
                    #expect(answer.code == 0x41, "last block: 2.01")
                    // libcoap's own reassembly (with Size1) does not echo Block1 in the final answer.
                    if !withSize1 { #expect(echoed == [UInt8(number << 4)]) }
                }
            }
            #expect(bodies() == [Self.body])
        }
    }

    @Test func aBlockOutOfOrderIsIncomplete() async throws {
        try await withServer { device, bodies in
            device.postBlock(path: "rd", mid: 1, token: [1], number: 0, more: true, szx: 0, payload: Array(Self.body[0..<16]))
            let first = try await device.next()
            #expect(first.code == 0x5F)
            device.postBlock(path: "rd", mid: 2, token: [2], number: 2, more: false, szx: 0, payload: Array(Self.body[32...]))
            let refused = try await device.next()
            #expect(refused.code == 0x88)  // 4.08 Request Entity Incomplete
            #expect(bodies().isEmpty)
        }
    }

    @Test func aBlockLargerThanPreferredIsAnsweredFourThirteenWithThePreferredSize() async throws {
        // RFC 7959 §2.9.3: 32-byte blocks to an endpoint that takes 16; then the same bytes in 16-byte blocks.
        try await withServer(maxBlock1Size: 16) { device, bodies in
            device.postBlock(path: "rd", mid: 1, token: [1], number: 0, more: true, szx: 1, payload: Array(Self.body[0..<32]))
            let refused = try await device.next()
            #expect(refused.code == 0x8D)  // 4.13 Request Entity Too Large
            #expect(refused.options.first { $0.0 == 27 }?.1 == [])  // Block1 0: NUM 0, M 0, SZX 0 (16 bytes), the empty option
            for number in 0..<3 {
                let start = number * 16
                device.postBlock(path: "rd", mid: UInt16(2 + number), token: [2, UInt8(number)], number: number,
                                 more: number < 2, szx: 0, payload: Array(Self.body[start..<min(start + 16, Self.body.count)]))
                let answer = try await device.next()
                #expect(answer.code == (number < 2 ? 0x5F : 0x41), "block \(number)")
            }
            #expect(bodies() == [Self.body])
        }
    }

    @Test func aClientMaySendAgainFromAnEarlierBlock() async throws {
        // Blocks 0 and 1 taken; the client, having lost an answer, starts again at block 1.
        try await withServer { device, bodies in
            let blocks = stride(from: 0, to: Self.body.count, by: 16).map { Array(Self.body[$0..<min($0 + 16, Self.body.count)]) }
            for (mid, number) in [0, 1, 1, 2].enumerated() {
                device.postBlock(path: "rd", mid: UInt16(10 + mid), token: [3, UInt8(mid)], number: number,
                                 more: number < 2, szx: 0, payload: blocks[number])
                _ = try await device.next()
            }
            #expect(bodies() == [Self.body])
        }
    }
}
