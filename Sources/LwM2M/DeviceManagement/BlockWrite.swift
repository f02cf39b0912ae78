import CoAP

/// One block of a block-wise Write of an opaque resource (RFC 7959 §2.5; LwM2M Core §E.6 push delivery to
/// `/5/0/0`): the bytes at `block.num × block.size` of a value `totalSize` bytes long.
public struct BlockWriteRequest: Sendable, Equatable {
    /// The resource written (`/5/0/0`).
    public var path: LwM2MPath
    /// The block's bytes: `block.size` of them, fewer only in the last block.
    public var payload: [UInt8]
    /// The Block1 option: number, whether more blocks follow, size.
    public var block: CoAPBlock
    /// The whole value's size, sent as Size1 (RFC 7959 §4) so a device can refuse a value it has no room for
    /// before the first byte is stored.
    public var totalSize: Int?
    /// The token of the request; `nil` for a fresh one. RFC 7959 lets every block carry its own, but devices
    /// find the transfer a block belongs to by its token (Zephyr's LwM2M engine does), so every block of one
    /// value goes with the same.
    public var token: [UInt8]?

    /// Creates a block.
    public init(path: LwM2MPath, payload: [UInt8], block: CoAPBlock, totalSize: Int?, token: [UInt8]? = nil) {
        self.path = path
        self.payload = payload
        self.block = block
        self.totalSize = totalSize
        self.token = token
    }
}

/// A device's answer to one block: any code, errors included (4.13 with a Block1 option asks for smaller
/// blocks, RFC 7959 §2.9.3; 4.08 says the device lost the blocks before), since the caller decides what follows.
public struct BlockWriteAnswer: Sendable, Equatable {
    /// The response code: 2.31 Continue for a block taken, 2.04 Changed after the last one.
    public var code: CoAPCode
    /// The Block1 option of the answer: a smaller size here is the size the device wants from now on.
    public var block1: CoAPBlock?
    /// The diagnostic payload of an error answer, as text.
    public var message: String

    /// Creates an answer.
    public init(code: CoAPCode, block1: CoAPBlock? = nil, message: String = "") {
        self.code = code
        self.block1 = block1
        self.message = message
    }
}

extension DeviceManagement {
    /// Implementations that cannot write block by block refuse.
    public func writeBlock(_ request: BlockWriteRequest, to endpoint: String, timeout: Duration)
        async throws(DeviceRequestError) -> BlockWriteAnswer
    {
        throw DeviceRequestError(.invalidRequest, "block-wise writes are not supported here")
    }
}
