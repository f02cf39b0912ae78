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

    func withServer(_ body: (RawCoAPDevice, @Sendable () -> [[UInt8]]) async throws -> Void) async throws {
        let bodies = Mutex<[[UInt8]]>([])
        let server = CoAPEndpoint(
            configuration: .init(bindHost: "127.0.0.1", bindPort: 0), logger: Logger(label: "block1-test"),
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
}
