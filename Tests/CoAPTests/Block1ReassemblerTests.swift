import Testing

@testable import CoAP

/// The pure Block1 reassembler (RFC 7959 §2.5): order, limits and forgotten transfers.
struct Block1ReassemblerTests {
    let start = ContinuousClock.now

    @Test func aBodyOverTheLimitIsRefusedAndForgotten() {
        var reassembler = Block1Reassembler(maxBody: 32)
        let block = [UInt8](repeating: 0x61, count: 16)
        #expect(reassembler.add(key: "k", number: 0, more: true, size: 16, payload: block, now: start) == .continue)
        #expect(reassembler.add(key: "k", number: 1, more: true, size: 16, payload: block, now: start) == .continue)
        #expect(reassembler.add(key: "k", number: 2, more: false, size: 16, payload: block, now: start) == .tooLarge)
        #expect(reassembler.pending == 0)
    }

    @Test func anAbandonedTransferExpires() {
        var reassembler = Block1Reassembler(lifetime: .seconds(60))
        let block = [UInt8](repeating: 0x61, count: 16)
        #expect(reassembler.add(key: "k", number: 0, more: true, size: 16, payload: block, now: start) == .continue)
        let later = start + .seconds(61)
        if case .incomplete = reassembler.add(key: "k", number: 1, more: false, size: 16, payload: block, now: later) {
        } else {
            Issue.record("a block after the transfer expired must be refused")
        }
    }

    @Test func transfersUnderDifferentKeysDoNotMix() {
        var reassembler = Block1Reassembler()
        let a = [UInt8](repeating: 0x61, count: 16), b = [UInt8](repeating: 0x62, count: 16)
        #expect(reassembler.add(key: "a", number: 0, more: true, size: 16, payload: a, now: start) == .continue)
        #expect(reassembler.add(key: "b", number: 0, more: true, size: 16, payload: b, now: start) == .continue)
        #expect(reassembler.add(key: "a", number: 1, more: false, size: 16, payload: a, now: start) == .complete(a + a))
        #expect(reassembler.add(key: "b", number: 1, more: false, size: 16, payload: b, now: start) == .complete(b + b))
    }
}
