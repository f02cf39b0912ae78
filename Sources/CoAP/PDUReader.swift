import CLibCoAP

/// Reads tokens, options and payloads out of libcoap PDUs (I/O thread only).
enum PDUReader {
    /// Calls `body` with each option's number and value bytes, in wire order.
    static func readOptions(_ pdu: OpaquePointer, _ body: (UInt16, [UInt8]) -> Void) {
        var iterator = coap_opt_iterator_t()
        guard coap_option_iterator_init(pdu, &iterator, nil) != nil else { return }
        while let option = coap_option_next(&iterator) {
            let length = Int(coap_opt_length(option))
            let value: [UInt8]
            if length > 0, let bytes = coap_opt_value(option) {
                value = Array(UnsafeBufferPointer(start: bytes, count: length))
            } else {
                value = []
            }
            body(iterator.number, value)
        }
    }

    /// Decodes a CoAP uint option value (RFC 7252 §3.2: big-endian, leading zeros stripped).
    static func uint(_ bytes: [UInt8]) -> UInt64 {
        bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The token bytes.
    static func token(_ pdu: OpaquePointer) -> [UInt8] {
        let token = coap_pdu_get_token(pdu)
        guard token.length > 0, let bytes = token.s else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: token.length))
    }

    /// The whole payload (block-wise bodies are reassembled by libcoap in single-body mode).
    static func payload(_ pdu: OpaquePointer) -> [UInt8] {
        var length = 0
        var data: UnsafePointer<UInt8>?
        var offset = 0
        var total = 0
        guard coap_get_data_large(pdu, &length, &data, &offset, &total) != 0, length > 0, let data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: length))
    }
}

/// Builds libcoap PDUs from the module's Swift values (I/O thread only).
enum PDUWriter {
    /// Payloads above this size go through libcoap's block-wise machinery (RFC 7959).
    static let largePayloadThreshold = 1024

    /// Fills a response PDU that libcoap pre-populated with the request's token and type.
    static func fill(
        response pdu: OpaquePointer, with answer: CoAPResponse, resource: OpaquePointer, session: OpaquePointer,
        request: OpaquePointer, query: UnsafePointer<coap_string_t>?, block1: UInt32? = nil,
        block2: CoAPBlock? = nil
    ) {
        coap_pdu_set_code(pdu, coap_pdu_code_t(rawValue: UInt32(answer.code.rawValue)))
        if let observe = answer.observe { addUInt(pdu, CoAPOptionNumber.observe, UInt64(observe)) }
        for segment in answer.locationPath { addBytes(pdu, CoAPOptionNumber.locationPath, Array(segment.utf8)) }
        if let body = answer.mappedBody {
            fill(response: pdu, block: block2, of: body, answer: answer, session: session)
            return
        }
        if answer.payload.count > largePayloadThreshold {
            let (copy, count) = mallocCopy(answer.payload)
            _ = coap_add_data_large_response(
                resource, session, request, pdu, query, answer.contentFormat ?? 42,
                answer.maxAge.map { Int32(clamping: $0) } ?? -1, 0, count, copy, freeLargeData, UnsafeMutableRawPointer(mutating: copy))
            return
        }
        if let format = answer.contentFormat { addUInt(pdu, CoAPOptionNumber.contentFormat, UInt64(format)) }
        if let maxAge = answer.maxAge { addUInt(pdu, CoAPOptionNumber.maxAge, UInt64(maxAge)) }
        // The answer to the last block of a block-wise request echoes its Block1 option (RFC 7959 §2.3).
        if let block1 { addUInt(pdu, CoAPOptionNumber.block1, UInt64(block1)) }
        if !answer.payload.isEmpty {
            answer.payload.withUnsafeBufferPointer { _ = coap_add_data(pdu, $0.count, $0.baseAddress) }
        }
    }

    /// Room left in a PDU for the header, a token and the options of a block of a mapped body.
    static let blockOverhead = 64

    /// Answers with the one block of `body` that `requested` (the request's Block2, none: block 0) asks for, in the
    /// largest size up to 1024 that fits the session's PDU (RFC 7959 §2.4), with ETag, Content-Format, Block2 and
    /// Size2 options (in option order); an offset at or beyond the end is 4.02 Bad Option.
    private static func fill(
        response pdu: OpaquePointer, block requested: CoAPBlock?, of body: CoAPMappedBody, answer: CoAPResponse,
        session: OpaquePointer
    ) {
        let room = coap_session_max_pdu_size(session) - blockOverhead
        let maxSZX = (0...6).last { 16 << $0 <= room }.map(UInt8.init) ?? 0
        guard let (block, bytes) = body.block(for: requested, maxSZX: maxSZX) else {
            coap_pdu_set_code(pdu, coap_pdu_code_t(rawValue: UInt32(CoAPCode.badOption.rawValue)))
            let diagnostic = Array("block \(requested?.description ?? "-") is beyond the end (\(body.count) bytes)".utf8)
            diagnostic.withUnsafeBufferPointer { _ = coap_add_data(pdu, $0.count, $0.baseAddress) }
            return
        }
        addBytes(pdu, CoAPOptionNumber.etag, (0..<8).map { UInt8(truncatingIfNeeded: body.etag >> (56 - 8 * $0)) })
        addUInt(pdu, CoAPOptionNumber.contentFormat, UInt64(answer.contentFormat ?? 42))
        if let maxAge = answer.maxAge { addUInt(pdu, CoAPOptionNumber.maxAge, UInt64(maxAge)) }
        addUInt(pdu, CoAPOptionNumber.block2, UInt64(block.uintValue))
        addUInt(pdu, CoAPOptionNumber.size2, UInt64(body.count))
        _ = coap_add_data(pdu, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
        body.onServe?(bytes.count)
    }

    /// Builds a request PDU for `session`; returns `nil` when libcoap cannot allocate one.
    static func makeRequest(_ request: CoAPRequest, token: [UInt8], session: OpaquePointer) -> OpaquePointer? {
        let type = request.confirmable ? COAP_MESSAGE_CON : COAP_MESSAGE_NON
        guard let pdu = coap_pdu_init(
            type, coap_pdu_code_t(rawValue: UInt32(request.method.rawValue)),
            coap_mid_t(coap_new_message_id(session)), coap_session_max_pdu_size(session))
        else { return nil }
        token.withUnsafeBufferPointer { _ = coap_add_token(pdu, $0.count, $0.baseAddress) }
        // Options in ascending number order.
        if let ifMatch = request.ifMatch { addBytes(pdu, CoAPOptionNumber.ifMatch, ifMatch) }
        if let etag = request.etag { addBytes(pdu, CoAPOptionNumber.etag, etag) }
        if let observe = request.observe { addUInt(pdu, CoAPOptionNumber.observe, UInt64(observe)) }
        for segment in request.uriPath { addBytes(pdu, CoAPOptionNumber.uriPath, Array(segment.utf8)) }
        if let format = request.contentFormat { addUInt(pdu, CoAPOptionNumber.contentFormat, UInt64(format)) }
        for item in request.uriQuery { addBytes(pdu, CoAPOptionNumber.uriQuery, Array(item.utf8)) }
        if let accept = request.accept { addUInt(pdu, CoAPOptionNumber.accept, UInt64(accept)) }
        if let block2 = request.block2 { addUInt(pdu, CoAPOptionNumber.block2, UInt64(block2.uintValue)) }
        if let block1 = request.block1 { addUInt(pdu, CoAPOptionNumber.block1, UInt64(block1.uintValue)) }
        if let size2 = request.size2 { addUInt(pdu, CoAPOptionNumber.size2, UInt64(size2)) }
        if let size1 = request.size1 { addUInt(pdu, CoAPOptionNumber.size1, UInt64(size1)) }
        if request.hasExplicitBlocks {
            // One block, sent as is: the caller did the splitting (RFC 7959 §2.5).
            if !request.payload.isEmpty {
                let added = request.payload.withUnsafeBufferPointer { coap_add_data(pdu, $0.count, $0.baseAddress) }
                guard added != 0 else {
                    coap_delete_pdu(pdu)
                    return nil
                }
            }
        } else if request.payload.count > largePayloadThreshold {
            let (copy, count) = mallocCopy(request.payload)
            guard coap_add_data_large_request(session, pdu, count, copy, freeLargeData,
                                              UnsafeMutableRawPointer(mutating: copy)) != 0
            else {
                coap_delete_pdu(pdu)
                return nil
            }
        } else if !request.payload.isEmpty {
            request.payload.withUnsafeBufferPointer { _ = coap_add_data(pdu, $0.count, $0.baseAddress) }
        }
        return pdu
    }

    static func addUInt(_ pdu: OpaquePointer, _ number: UInt16, _ value: UInt64) {
        var buffer = [UInt8](repeating: 0, count: 8)
        let length = buffer.withUnsafeMutableBufferPointer {
            coap_encode_var_safe8($0.baseAddress, $0.count, value)
        }
        buffer.withUnsafeBufferPointer { _ = coap_add_option(pdu, number, Int(length), $0.baseAddress) }
    }

    static func addBytes(_ pdu: OpaquePointer, _ number: UInt16, _ value: [UInt8]) {
        value.withUnsafeBufferPointer { _ = coap_add_option(pdu, number, $0.count, $0.baseAddress) }
    }

    /// Copies bytes into malloc'd memory that libcoap may hold until it calls `freeLargeData`.
    private static func mallocCopy(_ bytes: [UInt8]) -> (UnsafePointer<UInt8>, Int) {
        let memory = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
        memory.initialize(from: bytes, count: bytes.count)
        return (UnsafePointer(memory), bytes.count)
    }
}

/// Frees a payload copy once libcoap is done with a block-wise transfer.
let freeLargeData: coap_release_large_data_t = { _, pointer in
    pointer?.assumingMemoryBound(to: UInt8.self).deallocate()
}
