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

    /// GET over CoAP on a session of its own; libcoap fetches every Block2 block (RFC 7959) and hands over the
    /// whole body. The CoAP module cannot ask for a given block, so a broken transfer cannot resume from its block:
    /// `--fw-interrupt-at` does not apply here, and `halfway` faults strike after the body arrived.
    private func coapDownload(_ uri: PackageURI, interruptAt: Int?, halfway: SimulatedFirmware.Result?)
        async throws -> ([UInt8], Int, FirmwareDownloadMethod)
    {
        if interruptAt != nil {
            logger.notice("--fw-interrupt-at does not apply to CoAP downloads (no explicit Block2 requests in the CoAP module)", metadata: [
                "endpoint": "\(name)",
            ])
        }
        let secure = uri.scheme == .coaps
        let session: CoAPSessionID
        do {
            session = try await coap.connect(host: uri.host, port: uri.port, psk: secure ? server.psk(for: name) : nil)
        } catch let error as CoAPError where error.kind == .invalidAddress {
            throw DownloadFailure(result: .invalidURI, reason: "\(error)")
        } catch {
            throw DownloadFailure(result: .connectionLost, reason: "\(error)")
        }
        defer { coap.release(session) }
        let response: CoAPResponse
        do {
            response = try await coap.send(
                CoAPRequest(method: .get, uriPath: uri.pathSegments, uriQuery: uri.queryItems), on: session,
                timeout: .seconds(600))
        } catch let error as CoAPError where error.kind == .cancelled {
            throw CancellationError()
        } catch {
            throw DownloadFailure(result: .connectionLost, reason: "\(error)")
        }
        switch response.code.codeClass {
        case 2: break
        case 4: throw DownloadFailure(result: .invalidURI, reason: "answered \(response.code)")
        default: throw DownloadFailure(result: .connectionLost, reason: "answered \(response.code)")
        }
        if let halfway { throw DownloadFailure(result: halfway, reason: "fault after \(response.payload.count / 2) bytes") }
        return (response.payload, 0, secure ? .coapsPull : .coapPull)
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
