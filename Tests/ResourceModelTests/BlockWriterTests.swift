import CoAP
import Foundation
import LwM2M
import Synchronization
import Testing

@testable import ResourceModel

/// The block writer of `block-write` operations against a scripted device that keeps what it took the way
/// RFC 7959 §2.5 says a server does (the bytes of a block go at `num × size`), so every test checks the bytes
/// the device ends up with as well as the requests it saw.
struct BlockWriterTests {
    /// A device whose answer to each block comes from `script`; it stores taken blocks at their offset.
    final class ScriptedDevice: DeviceManagement {
        typealias Script = @Sendable (_ index: Int, BlockWriteRequest) -> BlockWriteAnswer

        let objectModel = ObjectModelRegistry()
        let script: Script
        let state = Mutex<(requests: [BlockWriteRequest], body: [UInt8])>(([], []))

        init(_ script: @escaping Script) { self.script = script }

        var requests: [BlockWriteRequest] { state.withLock { $0.requests } }
        var body: [UInt8] { state.withLock { $0.body } }

        func send(_ request: DeviceRequest, to endpoint: String, format: ContentFormat?, timeout: Duration)
            async throws(DeviceRequestError) -> DeviceResponse
        {
            throw DeviceRequestError(.invalidRequest, "not used")
        }

        func writeBlock(_ request: BlockWriteRequest, to endpoint: String, timeout: Duration)
            async throws(DeviceRequestError) -> BlockWriteAnswer
        {
            let index = state.withLock { $0.requests.append(request); return $0.requests.count - 1 }
            let answer = script(index, request)
            if answer.code.isSuccess {
                state.withLock { state in
                    let offset = Int(request.block.num) * request.block.size
                    state.body = Array(state.body.prefix(offset)) + request.payload
                }
            }
            return answer
        }
    }

    /// An in-memory source of `count` bytes.
    struct Bytes: BlockWriteSource {
        let value: [UInt8]
        init(count: Int) { value = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }
        func bytes(of name: String, offset: Int64, count: Int) throws -> [UInt8] {
            Array(value[Int(offset)..<min(value.count, Int(offset) + count)])
        }
    }

    static let path = try! LwM2MPath("/5/0/0")

    /// RFC 7959 §2.3: 2.31 for every block but the last, 2.04 for the last.
    static func faithful(_ index: Int, _ request: BlockWriteRequest) -> BlockWriteAnswer {
        BlockWriteAnswer(code: request.block.more ? .continue : .changed, block1: request.block)
    }

    func write(_ device: ScriptedDevice, _ source: Bytes, offset: Int64 = 0, length: Int64? = nil, startSize: Int = 1024,
               token: [UInt8]? = nil)
        async throws(DeviceRequestError) -> BlockWriter.Outcome
    {
        let total = Int64(source.value.count)
        let part = BlockWrite(path: Self.path, source: "test:x", offset: offset, length: length ?? total - offset,
                              total: total, blockSize: 1024, token: token)
        return try await BlockWriter(devices: device, timeout: .seconds(1), delay: .zero)
            .write(part, from: source, to: "ep", startSize: startSize)
    }

    @Test func everyBlockCarriesItsNumberSizeMoreBitAndTheTotalAsSize1() async throws {
        let device = ScriptedDevice(Self.faithful)
        let source = Bytes(count: 2500)
        let outcome = try await write(device, source)
        #expect(device.body == source.value)
        #expect(device.requests.map(\.block) == [
            CoAPBlock(num: 0, more: true, szx: 6), CoAPBlock(num: 1, more: true, szx: 6),
            CoAPBlock(num: 2, more: false, szx: 6),
        ])
        #expect(device.requests.map(\.payload.count) == [1024, 1024, 452])
        #expect(device.requests.allSatisfy { $0.totalSize == 2500 && $0.path == Self.path })
        #expect(outcome == .init(code: .changed, blockSize: 1024, blocks: 3, complete: true))
    }

    @Test func aFourThirteenWithASmallerBlock1SendsTheSameBytesAgainInThatSize() async throws {
        // RFC 7959 §2.9.3: the device takes 256-byte blocks at most.
        let device = ScriptedDevice { _, request in
            request.block.size > 256
                ? BlockWriteAnswer(code: .requestEntityTooLarge, block1: CoAPBlock(num: 0, more: false, szx: 4))
                : Self.faithful(0, request)
        }
        let source = Bytes(count: 1000)
        let outcome = try await write(device, source)
        #expect(device.body == source.value)
        #expect(device.requests.map(\.block.size) == [1024, 256, 256, 256, 256])
        #expect(device.requests.dropFirst().map(\.block.num) == [0, 1, 2, 3])
        #expect(outcome.blockSize == 256)
        #expect(outcome.blocks == 4)
    }

    @Test func aSmallerBlock1InAContinueSetsTheSizeOfTheBlocksThatFollow() async throws {
        // RFC 7959 §2.3: the first block was taken whole; later ones are 128 bytes, numbered from its end.
        let device = ScriptedDevice { index, request in
            index == 0
                ? BlockWriteAnswer(code: .continue, block1: CoAPBlock(num: 0, more: true, szx: 3))
                : Self.faithful(index, request)
        }
        let source = Bytes(count: 1300)
        _ = try await write(device, source)
        #expect(device.body == source.value)
        #expect(device.requests.map(\.block.size) == [1024, 128, 128, 128])
        #expect(device.requests.map(\.block.num) == [0, 8, 9, 10])
        #expect(device.requests.last?.block.more == false)
    }

    @Test func aPartInTheMiddleStartsAtItsBlockAndEndsWithMoreSet() async throws {
        let device = ScriptedDevice(Self.faithful)
        let source = Bytes(count: 10_000)
        let outcome = try await write(device, source, offset: 4096, length: 2048, startSize: 512)
        #expect(device.requests.map(\.block) == [
            CoAPBlock(num: 8, more: true, szx: 5), CoAPBlock(num: 9, more: true, szx: 5),
            CoAPBlock(num: 10, more: true, szx: 5), CoAPBlock(num: 11, more: true, szx: 5),
        ])
        #expect(device.requests.flatMap(\.payload) == Array(source.value[4096..<6144]))
        #expect(outcome.code == .continue)
        #expect(!outcome.complete)
    }

    @Test func aLostTransferOrNoRoomEndsTheWriteWithTheDevicesCode() async throws {
        for code in [CoAPCode.requestEntityIncomplete, .requestEntityTooLarge, .internalServerError] {
            let device = ScriptedDevice { index, request in
                index == 1 ? BlockWriteAnswer(code: code, message: "no") : Self.faithful(index, request)
            }
            do {
                _ = try await write(device, Bytes(count: 5000))
                Issue.record("\(code) must end the write")
            } catch {
                #expect(error.kind == .deviceError)
                #expect(error.coapCode == code)
            }
            #expect(device.requests.count == 2, "nothing is sent after \(code)")
        }
    }

    @Test func everyBlockOfAPartGoesWithThePartsToken() async throws {
        // Devices find the transfer a block belongs to by its token (Zephyr's LwM2M engine does).
        let device = ScriptedDevice(Self.faithful)
        let token: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        _ = try await write(device, Bytes(count: 5000), startSize: 256, token: token)
        #expect(device.requests.count == 20)
        #expect(device.requests.allSatisfy { $0.token == token })
    }

    @Test func aTokenSurvivesTheStoredFormOfTheOperation() throws {
        let part = BlockWrite(path: Self.path, source: "firmware:ab", offset: 65536, length: 65536, total: 200_000,
                              blockSize: 512, token: [0xde, 0xad, 0x00, 0x0f])
        let range = BlockWriteRange(part)
        #expect(range.token == "dead000f")
        let stored = try JSONEncoder().encode(range)
        #expect(try JSONDecoder().decode(BlockWriteRange.self, from: stored).blockWrite(path: Self.path) == part)
        #expect(BlockWriteRange.bytes(hex: "xyz0") == nil)
        #expect(BlockWriteRange.bytes(hex: String(repeating: "00", count: 9)) == nil)
    }

    @Test func anOffsetOffTheBlockGridIsRefusedBeforeAnythingIsSent() async throws {
        let device = ScriptedDevice(Self.faithful)
        do {
            _ = try await write(device, Bytes(count: 5000), offset: 100)
            Issue.record("an unaligned offset must be refused")
        } catch {
            #expect(error.kind == .invalidRequest)
        }
        #expect(device.requests.isEmpty)
    }
}
