import CoAP
import Foundation
import LwM2M

/// Pull delivery of a firmware package (LwM2M 1.1 Core §E.6, Package URI): CoAP(S) from the simulator's own
/// endpoint, HTTP with a raw socket; `--fw-interrupt-at` and the download faults break transfers on purpose.
extension SimulatedDevice {
    /// Why a download ended without a package: the Update Result it reports.
    struct DownloadFailure: Error {
        let result: SimulatedFirmware.Result
        let reason: String
    }

    /// Downloads `uri`, then hands the package to `received` (or reports the failure); `first` is the device's
    /// first download.
    func download(_ uri: PackageURI, generation: Int, first: Bool) async {
        await notifyObserversNow()
        let fault = firmwareOptions.fault(for: name)
        // `no-ram` breaks every download halfway, `connection-lost` the first one.
        let halfway: SimulatedFirmware.Result? = switch fault {
        case .noRAM?: .outOfRAM
        case .connectionLost? where first: .connectionLost
        default: nil
        }
        do {
            let (bytes, resumedAt, method) = switch uri.scheme {
            case .coap, .coaps: try await coapDownload(uri, interruptAt: first ? firmwareOptions.interruptAt : nil, halfway: halfway)
            case .http: try await httpDownload(uri, interruptAt: first ? firmwareOptions.interruptAt : nil, halfway: halfway)
            }
            guard !Task.isCancelled else { return }
            await received(bytes, method: method, uri: uri.text, resumedAt: resumedAt, generation: generation)
        } catch let failure as DownloadFailure {
            let current = withFirmware { firmware, _ in firmware.downloadFailed(failure.result, generation: generation) }
            guard current else { return }
            logger.info("firmware download failed", metadata: [
                "endpoint": "\(name)", "uri": "\(uri.text)", "updateResult": "\(failure.result.rawValue)",
                "reason": "\(failure.reason)",
            ])
            await notifyObserversNow()
        } catch {
            // Cancelled: a reset or a Cancel abandoned the download and already set the state.
        }
    }

    /// GET over CoAP block by block (RFC 7959 §2.4) on a session of its own without libcoap's block-wise
    /// handling: 1024-byte blocks, or the smaller size the server answers with; every block must carry the ETag
    /// of the first (a changed ETag starts over at block 0). A transfer broken at `interruptAt` resumes after a
    /// second, on a new session, at the block containing that byte; `halfway` faults strike at half the body.
    private func coapDownload(_ uri: PackageURI, interruptAt: Int?, halfway: SimulatedFirmware.Result?)
        async throws -> ([UInt8], Int, FirmwareDownloadMethod)
    {
        let method: FirmwareDownloadMethod = uri.scheme == .coaps ? .coapsPull : .coapPull
        var transfer = CoAPTransfer()
        var interruptAt = interruptAt
        while true {
            switch try await coapFetchBlocks(uri, into: &transfer, interruptAt: interruptAt, halfway: halfway) {
            case .complete:
                return (transfer.body, transfer.resumedAt, method)
            case .interrupted:
                interruptAt = nil
                logger.info("firmware download interrupted, resuming", metadata: [
                    "endpoint": "\(name)", "bytes": "\(transfer.body.count)",
                    "etag": "\(transfer.etag.map { $0.map { String(format: "%02x", $0) }.joined() } ?? "-")",
                ])
                try await Task.sleep(for: firmwareOptions.resumeDelay)
                transfer.resumedAt = transfer.body.count
            }
        }
    }

    /// What a CoAP download has got so far.
    private struct CoAPTransfer {
        var body: [UInt8] = []
        var etag: [UInt8]?
        /// The size of the whole body, from Size2 (RFC 7959 §4), once a block carried it.
        var total: Int?
        var szx: UInt8 = 6
        var resumedAt = 0
    }

    /// How one session's run of block requests ended.
    private enum CoAPFetchEnd { case complete, interrupted }

    /// Opens a session and asks for the blocks from `transfer.body.count` on, until the last block arrived or the
    /// next block would contain byte `interruptAt`.
    private func coapFetchBlocks(
        _ uri: PackageURI, into transfer: inout CoAPTransfer, interruptAt: Int?, halfway: SimulatedFirmware.Result?
    ) async throws -> CoAPFetchEnd {
        let secure = uri.scheme == .coaps
        let session: CoAPSessionID
        do {
            session = try await coap.connect(
                host: uri.host, port: uri.port, credential: secure ? try server.credential(for: name) : nil,
                libcoapBlockwise: false)
        } catch let error as CoAPError where error.kind == .invalidAddress {
            throw DownloadFailure(result: .invalidURI, reason: "\(error)")
        } catch {
            throw DownloadFailure(result: .connectionLost, reason: "\(error)")
        }
        defer { coap.release(session) }
        while true {
            let size = 16 << Int(transfer.szx)
            if let point = interruptAt, transfer.body.count / size == point / size, transfer.body.count > 0 {
                return .interrupted
            }
            let asked = CoAPBlock(num: UInt32(transfer.body.count / size), more: false, szx: transfer.szx)
            let response: CoAPResponse
            do {
                response = try await coap.send(
                    CoAPRequest(method: .get, uriPath: uri.pathSegments, uriQuery: uri.queryItems, block2: asked),
                    on: session, timeout: .seconds(60))
            } catch let error as CoAPError where error.kind == .cancelled {
                throw CancellationError()
            } catch {
                throw DownloadFailure(result: .connectionLost, reason: "block \(asked): \(error)")
            }
            switch response.code.codeClass {
            case 2: break
            case 4: throw DownloadFailure(result: .invalidURI, reason: "block \(asked) answered \(response.code)")
            default: throw DownloadFailure(result: .connectionLost, reason: "block \(asked) answered \(response.code)")
            }
            guard let block = response.block2 else {
                // The whole body in one response (small enough for one PDU): nothing to resume.
                guard transfer.body.isEmpty else {
                    throw DownloadFailure(result: .connectionLost, reason: "no Block2 in the answer to block \(asked)")
                }
                transfer.body = response.payload
                return .complete
            }
            if transfer.resumedAt > 0, transfer.body.count == transfer.resumedAt {
                logger.info("firmware download resumed", metadata: [
                    "endpoint": "\(name)", "block": "\(block)",
                    "etag": "\(response.etag.map { $0.map { String(format: "%02x", $0) }.joined() } ?? "-")",
                ])
            }
            if let etag = response.etag {
                if let known = transfer.etag, known != etag {
                    // A different representation (RFC 7959 §2.4): what came so far belongs to another package.
                    logger.info("firmware download starts over: the ETag changed", metadata: ["endpoint": "\(name)"])
                    transfer = CoAPTransfer(etag: etag, szx: transfer.szx)
                    continue
                }
                transfer.etag = etag
            }
            // A server may answer in a smaller size than asked; later requests use it (RFC 7959 §2.4).
            transfer.szx = min(transfer.szx, block.szx)
            guard block.offset == transfer.body.count, response.payload.count <= block.size else {
                throw DownloadFailure(
                    result: .connectionLost, reason: "asked block \(asked), got \(block) with \(response.payload.count) bytes")
            }
            transfer.total = response.size2 ?? transfer.total
            transfer.body += response.payload
            if !block.more { return .complete }
            if let halfway, transfer.body.count >= (transfer.total ?? 2 * transfer.body.count) / 2 {
                throw DownloadFailure(result: halfway, reason: "fault after \(transfer.body.count) bytes")
            }
        }
    }

    /// GET over HTTP; a transfer broken at `interruptAt` resumes after a second from the byte it reached
    /// (`Range`/`If-Range`); a 200 to a resumption (the entity changed) starts over.
    private func httpDownload(_ uri: PackageURI, interruptAt: Int?, halfway: SimulatedFirmware.Result?)
        async throws -> ([UInt8], Int, FirmwareDownloadMethod)
    {
        var body: [UInt8] = []
        var etag: String?
        var resumedAt = 0
        var interruptAt = interruptAt
        while true {
            let interrupt = interruptAt, half = halfway != nil
            let fetch: HTTPRangeClient.Fetch
            do {
                fetch = try await HTTPRangeClient.get(uri, offset: body.count, ifRange: etag) { total in
                    [interrupt, half ? (total ?? 2) / 2 : nil].compactMap { $0 }.min()
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw DownloadFailure(result: .connectionLost, reason: "\(error)")
            }
            switch fetch.status {
            case 200:
                if !body.isEmpty {
                    logger.info("firmware download starts over: the entity changed", metadata: ["endpoint": "\(name)"])
                }
                body = fetch.body
                resumedAt = 0
            case 206 where fetch.offset == body.count:
                if !body.isEmpty { resumedAt = body.count }
                body += fetch.body
            case 206:
                throw DownloadFailure(result: .connectionLost, reason: "206 from byte \(fetch.offset), asked \(body.count)")
            case 400..<500:
                throw DownloadFailure(result: .invalidURI, reason: "HTTP \(fetch.status)")
            default:
                throw DownloadFailure(result: .connectionLost, reason: "HTTP \(fetch.status)")
            }
            etag = fetch.etag ?? etag
            if fetch.complete { return (body, resumedAt, .httpPull) }
            if let halfway, body.count >= (fetch.total ?? 2) / 2 {
                throw DownloadFailure(result: halfway, reason: "fault after \(body.count) bytes")
            }
            guard let point = interruptAt, body.count >= point else {
                throw DownloadFailure(result: .connectionLost, reason: "the connection closed after \(body.count) bytes")
            }
            interruptAt = nil
            logger.info("firmware download interrupted, resuming", metadata: [
                "endpoint": "\(name)", "bytes": "\(body.count)", "etag": "\(etag ?? "-")",
            ])
            try await Task.sleep(for: firmwareOptions.resumeDelay)
        }
    }
}
