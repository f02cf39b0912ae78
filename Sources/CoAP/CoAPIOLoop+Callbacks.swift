import CLibCoAP
import Foundation
import Logging

// libcoap callbacks: global closures without captures, as C function pointers require. Each finds its
// CoAPIOLoop through the context's app data. They run on the I/O thread (inside coap_io_process).

/// Request handler for every method on the "unknown resource", i.e. every path.
let coapRequestCallback: coap_method_handler_t = { resource, session, request, query, response in
    guard let resource, let session, let request, let response, let loop = CoAPIOLoop.from(session: session)
    else { return }
    loop.handleRequest(resource: resource, session: session, request: request, query: query, response: response)
}

/// Response handler for requests this endpoint sent (and, later, notifications).
let coapResponseCallback: coap_response_handler_t = { session, sent, received, _ in
    guard let session, let received, let loop = CoAPIOLoop.from(session: session) else { return COAP_RESPONSE_OK }
    return loop.handleResponse(session: session, received: received)
}

/// Called when a confirmable request was not acknowledged, was reset, or could not be delivered.
let coapNackCallback: coap_nack_handler_t = { session, sent, reason, _ in
    guard let session, let loop = CoAPIOLoop.from(session: session) else { return }
    loop.handleNack(session: session, sent: sent, reason: reason)
}

/// Session lifecycle events (server sessions created/deleted, client sessions closed or failed).
/// The DTLS server's identity callback: the key for the identity a client presents, or NULL to refuse the
/// handshake. libcoap copies the key before the next call.
let coapPSKIdentityCallback: coap_dtls_id_callback_t = { identity, _, arg in
    guard let identity, let arg else { return nil }
    let loop = Unmanaged<CoAPIOLoop>.fromOpaque(arg).takeUnretainedValue()
    let presented = identity.pointee.length == 0
        ? [] : Array(UnsafeBufferPointer(start: identity.pointee.s, count: identity.pointee.length))
    return loop.pskKey(for: presented)
}

/// The DTLS server's PKI callback: after the TLS layer checked a peer certificate (or took a raw public key),
/// whether the peer may finish the handshake. Runs once per handshake for the peer's own certificate (depth 0).
let coapPKIPeerCallback: coap_dtls_cn_callback_t = { cn, der, length, session, depth, validated, arg in
    guard let arg, let session else { return 0 }
    let loop = Unmanaged<CoAPIOLoop>.fromOpaque(arg).takeUnretainedValue()
    let bytes = der.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
    let name = cn.map { String(cString: $0) } ?? ""
    return loop.acceptPeer(cn: name, der: bytes, session: session, depth: depth, validated: validated != 0) ? 1 : 0
}

let coapEventCallback: coap_event_handler_t = { session, event in
    guard let session, let loop = CoAPIOLoop.from(session: session) else { return 0 }
    switch event {
    case COAP_EVENT_SERVER_SESSION_DEL:
        loop.sessionGone(session, beingFreed: true)
    case COAP_EVENT_SESSION_CLOSED, COAP_EVENT_SESSION_FAILED, COAP_EVENT_DTLS_CLOSED, COAP_EVENT_DTLS_ERROR:
        loop.sessionGone(session, beingFreed: false)
    default:
        break
    }
    return 0
}

extension CoAPIOLoop {
    func handleRequest(
        resource: OpaquePointer, session: OpaquePointer, request: OpaquePointer,
        query: UnsafePointer<coap_string_t>?, response: OpaquePointer
    ) {
        let id = sessionID(for: session)
        let raw = coap_pdu_get_code(request).rawValue
        guard let method = CoAPMethod(rawValue: UInt8(truncatingIfNeeded: raw)) else {
            coap_pdu_set_code(response, coap_pdu_code_t(rawValue: UInt32(CoAPCode.methodNotAllowed.rawValue)))
            return
        }
        var inbound = CoAPRequest(method: method)
        var block1: UInt32?
        PDUReader.readOptions(request) { number, value in
            switch number {
            case CoAPOptionNumber.block1:
                block1 = UInt32(truncatingIfNeeded: PDUReader.uint(value))
            case CoAPOptionNumber.block2:
                inbound.block2 = CoAPBlock(optionValue: value)
            case CoAPOptionNumber.uriPath:
                inbound.uriPath.append(String(decoding: value, as: UTF8.self))
            case CoAPOptionNumber.uriQuery:
                inbound.uriQuery.append(String(decoding: value, as: UTF8.self))
            case CoAPOptionNumber.contentFormat:
                inbound.contentFormat = UInt16(truncatingIfNeeded: PDUReader.uint(value))
            case CoAPOptionNumber.accept:
                inbound.accept = UInt16(truncatingIfNeeded: PDUReader.uint(value))
            case CoAPOptionNumber.observe:
                inbound.observe = UInt32(truncatingIfNeeded: PDUReader.uint(value))
            default:
                break
            }
        }
        inbound.payload = PDUReader.payload(request)
        var finalBlock1: UInt32?
        if let block1 {
            let number = block1 >> 4, more = block1 & 0x8 != 0, size = 16 << Int(block1 & 0x7)
            if let preferred = configuration.maxBlock1Size, size > preferred, inbound.payload.count <= size,
               let szx = CoAPBlock.szx(forSize: preferred)
            {
                // RFC 7959 §2.9.3: the Block1 option of a 4.13 gives the block size this endpoint takes.
                logger.debug("Block1 block larger than preferred", metadata: [
                    "session": "\(id)", "size": "\(size)", "preferred": "\(preferred)",
                ])
                coap_pdu_set_code(response, coap_pdu_code_t(rawValue: UInt32(CoAPCode.requestEntityTooLarge.rawValue)))
                PDUWriter.addUInt(response, CoAPOptionNumber.block1,
                                  UInt64(CoAPBlock(num: 0, more: false, szx: szx).uintValue))
                return
            }
            // libcoap reassembled the body itself when it is larger than one block (the first block had Size1).
            if inbound.payload.count <= size, more || number > 0 {
                let key = "\(id) \(method.rawValue) \(inbound.uriPath.joined(separator: "/"))?\(inbound.uriQuery.joined(separator: "&"))"
                switch block1Transfers.add(
                    key: key, number: number, more: more, size: size, payload: inbound.payload, now: .now)
                {
                case .continue:
                    coap_pdu_set_code(response, coap_pdu_code_t(rawValue: UInt32(CoAPCode.continue.rawValue)))
                    PDUWriter.addUInt(response, CoAPOptionNumber.block1, UInt64(block1))
                    return
                case .incomplete(let reason):
                    logger.notice("block-wise request refused", metadata: ["session": "\(id)", "reason": "\(reason)"])
                    PDUWriter.fill(
                        response: response, with: .error(.requestEntityIncomplete, reason), resource: resource,
                        session: session, request: request, query: query)
                    return
                case .tooLarge:
                    logger.warning("block-wise request refused: body too large", metadata: [
                        "session": "\(id)", "limit": "\(block1Transfers.maxBody)",
                    ])
                    configuration.onLimitRefusal?("coap-payload")
                    coap_pdu_set_code(response, coap_pdu_code_t(rawValue: UInt32(CoAPCode.requestEntityTooLarge.rawValue)))
                    PDUWriter.addUInt(response, CoAPOptionNumber.size1, UInt64(block1Transfers.maxBody))
                    return
                case .complete(let body):
                    inbound.payload = body
                    finalBlock1 = block1
                }
            }
        }
        inbound.confirmable = coap_pdu_get_type(request) == COAP_MESSAGE_CON
        let peer = SocketAddress.describe(coap_session_get_addr_remote(session))
        if inbound.payload.count > configuration.maxBlock1Body {
            // A body libcoap reassembled (its first block had Size1) or one datagram: the same limit.
            logger.warning("request refused: body too large", metadata: [
                "session": "\(id)", "peer": "\(peer)", "bytes": "\(inbound.payload.count)",
                "limit": "\(configuration.maxBlock1Body)",
            ])
            configuration.onLimitRefusal?("coap-payload")
            coap_pdu_set_code(response, coap_pdu_code_t(rawValue: UInt32(CoAPCode.requestEntityTooLarge.rawValue)))
            PDUWriter.addUInt(response, CoAPOptionNumber.size1, UInt64(configuration.maxBlock1Body))
            return
        }
        let token = PDUReader.token(request)
        guard let answer = requestHandler(
            CoAPInboundRequest(
                request: inbound, session: CoAPSessionID(rawValue: id), peerAddress: peer, token: token,
                peerIdentity: peerIdentity(of: session)))
        else {
            // An empty (0.00) non-confirmable response is dropped by libcoap (net.c, no_response(): RESPONSE_DROP);
            // as an ACK it would go out as an empty ACK.
            coap_pdu_set_type(response, COAP_MESSAGE_NON)
            return
        }
        PDUWriter.fill(
            response: response, with: answer, resource: resource, session: session, request: request, query: query,
            block1: finalBlock1, block2: inbound.block2)
    }

    func handleResponse(session: OpaquePointer, received: OpaquePointer) -> coap_response_t {
        let id = sessionID(for: session)
        let key = PendingKey(session: id, token: PDUReader.token(received))
        let code = CoAPCode(rawValue: UInt8(truncatingIfNeeded: coap_pdu_get_code(received).rawValue))
        var answer = CoAPResponse(code: code)
        PDUReader.readOptions(received) { number, value in
            switch number {
            case CoAPOptionNumber.contentFormat:
                answer.contentFormat = UInt16(truncatingIfNeeded: PDUReader.uint(value))
            case CoAPOptionNumber.locationPath:
                answer.locationPath.append(String(decoding: value, as: UTF8.self))
            case CoAPOptionNumber.observe:
                answer.observe = UInt32(truncatingIfNeeded: PDUReader.uint(value))
            case CoAPOptionNumber.maxAge:
                answer.maxAge = UInt32(truncatingIfNeeded: PDUReader.uint(value))
            case CoAPOptionNumber.block1:
                answer.block1 = CoAPBlock(optionValue: value)
            case CoAPOptionNumber.block2:
                answer.block2 = CoAPBlock(optionValue: value)
            case CoAPOptionNumber.etag:
                answer.etag = value
            case CoAPOptionNumber.size1:
                answer.size1 = Int(truncatingIfNeeded: PDUReader.uint(value))
            case CoAPOptionNumber.size2:
                answer.size2 = Int(truncatingIfNeeded: PDUReader.uint(value))
            default:
                break
            }
        }
        answer.payload = PDUReader.payload(received)
        if completePending(key, with: .success(answer)) {
            return COAP_RESPONSE_OK
        }
        // Not a response we wait for: a notification of an observation the upper layer keeps, a late answer
        // after a timeout, or a token nobody knows. RFC 7641 §3.6: reject what is not wanted with a Reset.
        let unsolicited = CoAPUnsolicitedResponse(
            session: CoAPSessionID(rawValue: id), peerAddress: SocketAddress.describe(coap_session_get_addr_remote(session)),
            token: key.token, response: answer, peerIdentity: peerIdentity(of: session))
        if let handler = unsolicitedResponseHandler, handler(unsolicited) {
            return COAP_RESPONSE_OK
        }
        logger.debug("CoAP response for unknown token", metadata: [
            "session": "\(id)", "code": "\(code)", "token": "\(key.token.hexString)",
        ])
        return COAP_RESPONSE_FAIL
    }

    func handleNack(session: OpaquePointer, sent: OpaquePointer?, reason: coap_nack_reason_t) {
        guard let sent else { return }
        let id = sessionID(for: session)
        let key = PendingKey(session: id, token: PDUReader.token(sent))
        let error: CoAPError
        switch reason {
        case COAP_NACK_TOO_MANY_RETRIES:
            error = CoAPError(.tooManyRetries, "no acknowledgement after retransmissions")
        case COAP_NACK_RST:
            error = CoAPError(.reset, "peer answered with Reset")
        default:
            error = CoAPError(.unreachable, "peer unreachable (nack reason \(reason.rawValue))")
        }
        guard !completePending(key, with: .failure(error)) else { return }
        // Not a pending request: e.g. a notification. Only a Reset, or a confirmable message never acknowledged
        // (RFC 7641 §3.6, §4.5), says the peer is gone; an ICMP error (a server restarting) is transient.
        switch reason {
        case COAP_NACK_RST, COAP_NACK_TOO_MANY_RETRIES:
            resetHandler?(CoAPSessionID(rawValue: id), key.token)
        default:
            logger.debug("message not delivered, peer kept", metadata: ["session": "\(id)", "reason": "\(reason.rawValue)"])
        }
    }
}

/// CoAP option numbers used by this module (RFC 7252 §12.2, RFC 7641, RFC 7959).
enum CoAPOptionNumber {
    static let ifMatch: UInt16 = 1
    static let etag: UInt16 = 4
    static let observe: UInt16 = 6
    static let locationPath: UInt16 = 8
    static let uriPath: UInt16 = 11
    static let contentFormat: UInt16 = 12
    static let maxAge: UInt16 = 14
    static let uriQuery: UInt16 = 15
    static let accept: UInt16 = 17
    static let block2: UInt16 = 23
    static let block1: UInt16 = 27
    static let size2: UInt16 = 28
    static let size1: UInt16 = 60
}

extension Array where Element == UInt8 {
    /// Lower-case hex (logs, tokens in stored and JSON forms).
    public var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
