import CoAP
import Foundation
import LwM2M

/// A queued block-wise Write of bytes the server holds (a firmware package pushed to `/5/0/0`, LwM2M Core
/// §E.6): bytes `offset ..< offset + length` of `source`, a value `total` bytes long, written to `path` in
/// Block1 blocks of `blockSize` bytes, or the smaller size the device asks for (RFC 7959 §2.3, §2.9.3).
///
/// One operation carries one part of the value, so that a long transfer is many queued operations: each is
/// retried on its own, a restart resumes at the last part that finished, and a sleeping device gets the rest
/// on its next wake-up. The bytes themselves are not in the queue: `source` names them (`scheme:name`) for a
/// `BlockWriteSource` a module registered with the dispatcher. The REST API does not create these operations.
public struct BlockWrite: Sendable, Equatable, Hashable {
    /// The resource written.
    public var path: LwM2MPath
    /// Where the bytes come from: `scheme:name`, resolved by the source registered for `scheme`.
    public var source: String
    /// The first byte of this part; a multiple of `blockSize`.
    public var offset: Int64
    /// How many bytes this part writes.
    public var length: Int64
    /// The whole value's size (sent as Size1; the block holding the last byte has M = 0).
    public var total: Int64
    /// The block size to start with: a power of two, 16...1024.
    public var blockSize: Int
    /// The token every block goes with (the same in every part of one value: devices find a transfer by its
    /// token); `nil` for a fresh token per block.
    public var token: [UInt8]?

    /// Creates a part.
    public init(path: LwM2MPath, source: String, offset: Int64, length: Int64, total: Int64, blockSize: Int = 1024,
                token: [UInt8]? = nil) {
        self.path = path
        self.source = source
        self.offset = offset
        self.length = length
        self.total = total
        self.blockSize = blockSize
        self.token = token
    }

    /// The scheme of `source` (before the first `:`).
    public var scheme: String { String(source.prefix { $0 != ":" }) }
    /// The name within the scheme (after the first `:`).
    public var name: String {
        guard let colon = source.firstIndex(of: ":") else { return "" }
        return String(source[source.index(after: colon)...])
    }
    /// One past the last byte of this part.
    public var end: Int64 { min(total, offset + length) }
}

/// A `BlockWrite` beyond its path: its stored form (`endpoint_operation.payload.blockWrite`) and its JSON in the
/// REST API's operations (`blockWrite`).
public struct BlockWriteRange: Codable, Equatable, Sendable {
    public var source: String
    public var offset: Int64
    public var length: Int64
    public var total: Int64
    public var blockSize: Int
    /// The token of every block, in hex.
    public var token: String?

    /// The range of `write`.
    public init(_ write: BlockWrite) {
        source = write.source
        offset = write.offset
        length = write.length
        total = write.total
        blockSize = write.blockSize
        token = write.token?.hexString
    }

    func blockWrite(path: LwM2MPath) -> BlockWrite {
        BlockWrite(path: path, source: source, offset: offset, length: length, total: total, blockSize: blockSize,
                   token: token.flatMap(Self.bytes(hex:)))
    }

    /// The bytes of an even-length hex string of at most 8 bytes (a CoAP token), `nil` for anything else.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0, digits.count <= 16 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }
}

/// Gives the bytes of block-wise writes; registered with `OperationDispatcher.register(_:scheme:)`.
public protocol BlockWriteSource: Sendable {
    /// `count` bytes of the value named `name` from `offset`; fewer only at its end. Called off the I/O thread,
    /// once per part (at most a part's length, 64 KiB for firmware, is held at a time).
    func bytes(of name: String, offset: Int64, count: Int) throws -> [UInt8]
}

/// Carries out one `BlockWrite`: block after block through `DeviceManagement.writeBlock`, following the device's
/// answers. A pure loop over injected effects, so that tests drive it without a network.
struct BlockWriter {
    let devices: any DeviceManagement
    let timeout: Duration
    let delay: Duration

    /// What a finished part left: the last answer's code and the block size the device settled on.
    struct Outcome: Equatable {
        var code: CoAPCode
        var blockSize: Int
        var blocks: Int
        /// The part ended the value (its last block went, M = 0).
        var complete: Bool
    }

    /// Writes `write`'s bytes from `source` to `endpoint`, starting with blocks of `startSize` bytes (the size a
    /// previous part settled on, at most `write.blockSize`).
    ///
    /// - 2.31 Continue takes a block; a Block1 option with a smaller size in it sets the size of the blocks
    ///   that follow (RFC 7959 §2.3). 2.04 (or 2.01) takes the last block.
    /// - 4.13 with a Block1 option of a smaller size refused the block for its size: the same bytes go again in
    ///   blocks of that size (RFC 7959 §2.9.3). Without one (no room for the value), it ends the write.
    /// - Anything else, 4.08 Request Entity Incomplete included (the device lost the blocks before this one),
    ///   ends the write with a `deviceError` carrying the code.
    func write(_ write: BlockWrite, from source: any BlockWriteSource, to endpoint: String, startSize: Int)
        async throws(DeviceRequestError) -> Outcome
    {
        var size = min(write.blockSize, startSize)
        guard CoAPBlock.szx(forSize: size) != nil else {
            throw DeviceRequestError(.invalidRequest, "block size \(size) is not a power of two in 16...1024")
        }
        guard write.offset >= 0, write.total >= 0, write.offset <= write.end || write.total == 0 else {
            throw DeviceRequestError(.invalidRequest, "bytes \(write.offset)..<\(write.end) of \(write.total)")
        }
        guard write.offset % Int64(size) == 0 else {
            throw DeviceRequestError(.invalidRequest, "offset \(write.offset) is not on a \(size)-byte block boundary")
        }
        let part: [UInt8]
        do {
            part = try source.bytes(of: write.name, offset: write.offset, count: Int(write.end - write.offset))
        } catch {
            throw DeviceRequestError(.invalidRequest, "cannot read \(write.source) at byte \(write.offset): \(error)")
        }
        guard part.count == write.end - write.offset else {
            throw DeviceRequestError(
                .invalidRequest, "\(write.source) ended at byte \(write.offset + Int64(part.count)), not \(write.end)")
        }
        var offset = write.offset
        var outcome = Outcome(code: .changed, blockSize: size, blocks: 0, complete: false)
        repeat {
            let count = Int(min(Int64(size), write.end - offset))
            let start = Int(offset - write.offset)
            let bytes = Array(part[start..<start + count])
            let more = offset + Int64(count) < write.total
            guard let block = CoAPBlock(containing: Int(offset), size: size, more: more) else {
                throw DeviceRequestError(.invalidRequest, "byte \(offset) is beyond the last \(size)-byte block number")
            }
            let answer = try await devices.writeBlock(
                BlockWriteRequest(path: write.path, payload: bytes, block: block, totalSize: Int(write.total),
                                  token: write.token),
                to: endpoint, timeout: timeout)
            switch answer.code {
            case .continue, .changed, .created:
                if let asked = answer.block1?.size, asked < size { size = asked }
                offset += Int64(count)
                outcome.blocks += 1
                outcome.code = answer.code
            case .requestEntityTooLarge where (answer.block1?.size ?? size) < size:
                size = answer.block1?.size ?? size
            default:
                let text = answer.message.isEmpty
                    ? "device answered \(answer.code) to block \(block.num) (\(size) bytes at \(offset))" : answer.message
                throw DeviceRequestError(.deviceError, text, coapCode: answer.code)
            }
            outcome.blockSize = size
            if delay > .zero, offset < write.end {
                do { try await Task.sleep(for: delay) } catch {
                    throw DeviceRequestError(.timeout, "block-wise write cancelled at byte \(offset)")
                }
            }
        } while offset < write.end
        outcome.complete = write.end >= write.total
        return outcome
    }
}
