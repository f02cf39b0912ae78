import Foundation

/// Reassembles block-wise request bodies (RFC 7959 §2.5) that libcoap 4.3.1 hands over block by block: with
/// `COAP_BLOCK_USE_LIBCOAP`, a Block1 transfer whose first block carries no Size1 option (Size1 is optional,
/// RFC 7959 §4) reaches the request handler once per block, each as if it were the whole body.
///
/// A pure value: one transfer per key (the session and the request's method, path and query, RFC 7959 §2.5 —
/// blocks of one body may use different tokens). States of a transfer: absent (no block yet) → collecting
/// (the bytes so far) → absent again when the last block (M=0) completes the body or a
/// block arrives beyond the bytes received (an earlier block is taken: the client sends again from there).
struct Block1Reassembler {
    /// What to do with one block.
    enum Outcome: Equatable {
        /// More blocks are expected: answer 2.31 Continue echoing the block's Block1 option (RFC 7959 §2.3).
        case `continue`
        /// The last block completed the body: hand it to the handler (and echo Block1 in the final answer).
        case complete([UInt8])
        /// A block out of order, or a first block with a number other than 0: 4.08 Request Entity Incomplete.
        case incomplete(String)
        /// The body would exceed `maxBody`: 4.13 Request Entity Too Large (RFC 7959 §2.9.3).
        case tooLarge
    }

    private struct Transfer {
        var size: Int
        var body: [UInt8]
        var updated: ContinuousClock.Instant
    }

    /// The largest body accepted, in bytes.
    let maxBody: Int
    /// How long an unfinished transfer is kept (RFC 7252 EXCHANGE_LIFETIME is 247 s; devices send blocks back to back).
    let lifetime: Duration
    /// The most unfinished transfers kept at once (the oldest goes first).
    let maxTransfers: Int
    private var transfers: [String: Transfer] = [:]

    init(maxBody: Int = 1 << 20, lifetime: Duration = .seconds(60), maxTransfers: Int = 1_000) {
        self.maxBody = maxBody
        self.lifetime = lifetime
        self.maxTransfers = maxTransfers
    }

    /// The number of unfinished transfers.
    var pending: Int { transfers.count }

    /// Takes block `number` (size `size`, more to come when `more`) of the body sent under `key`.
    mutating func add(
        key: String, number: UInt32, more: Bool, size: Int, payload: [UInt8], now: ContinuousClock.Instant
    ) -> Outcome {
        transfers = transfers.filter { now - $0.value.updated < lifetime }
        var transfer: Transfer
        if number == 0 {
            transfer = Transfer(size: size, body: [], updated: now)
        } else if let existing = transfers[key], Int(number) * size <= existing.body.count {
            transfer = existing
        } else {
            transfers[key] = nil
            return .incomplete("block \(number) arrived without the blocks before it")
        }
        // A block's offset is its number times its size (RFC 7959 §2.2); the client may shrink the size later,
        // and may send again from an earlier block (a client that lost the answers to the last ones): what it
        // sends from there replaces what came before.
        let offset = Int(number) * size
        guard offset <= transfer.body.count else {
            transfers[key] = nil
            return .incomplete("block \(number) of \(size) bytes does not follow the \(transfer.body.count) bytes received")
        }
        transfer.body.removeLast(transfer.body.count - offset)
        guard transfer.body.count + payload.count <= maxBody else {
            transfers[key] = nil
            return .tooLarge
        }
        transfer.body += payload
        transfer.updated = now
        if !more {
            transfers[key] = nil
            return .complete(transfer.body)
        }
        if transfers[key] == nil, transfers.count >= maxTransfers,
           let oldest = transfers.min(by: { $0.value.updated < $1.value.updated })?.key {
            transfers[oldest] = nil
        }
        transfers[key] = transfer
        return .continue
    }
}
