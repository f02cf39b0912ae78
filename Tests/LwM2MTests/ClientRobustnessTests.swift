import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Garbage in, 4.xx out: the client tree never traps and never changes on a failed request.
struct ClientRobustnessTests {
    /// A small deterministic generator (SplitMix64) so failures reproduce.
    struct ClientSplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    }

    @Test func garbagePayloadsInEveryFormatAreBadRequests() {
        let garbage: [ContentFormat: [[UInt8]]] = [
            .tlv: [[0xc8], [0xc8, 0x00, 0x09, 0x41], [0x08, 0x00, 0xff], [0xe8, 0x00, 0x02, 0x00, 0x01]],
            .senmlJSON: [utf8Bytes("{"), utf8Bytes("[1]"), utf8Bytes(#"[{"n":"/1/0/1","v":"x"}]"#), [0xff, 0xfe]],
            .senmlCBOR: [[0xff], [0x81, 0x01], [0x9f], [0x81, 0xa1, 0x00, 0xf7]],
            .lwm2mJSON: [utf8Bytes("[]"), utf8Bytes(#"{"e":[{"n":"1","sv":1}]}"#), utf8Bytes("{\"bn\":")],
        ]
        for (format, payloads) in garbage {
            for payload in payloads {
                var tree = clientTree()
                let before = tree.node(at: clientPath("/1/0"))
                let response = tree.handle(clientRequest(.put, "/1/0", format: format, payload: payload), now: clientNow)
                #expect(response.code == .badRequest, "\(format) \(hexString(payload)): \(response.payloadText)")
                #expect(!response.payload.isEmpty)
                #expect(tree.node(at: clientPath("/1/0")) == before)
            }
        }
    }

    @Test func singleValueGarbageIsABadRequest() {
        var tree = clientTree()
        for (format, payload) in [
            (ContentFormat.text, utf8Bytes("12x")), (.text, [0xff]), (.cbor, [0x1b, 0x00]), (.cbor, [0x62, 0x41]),
            (.cbor, [0x01, 0x02]), (.text, utf8Bytes("99999999999999999999")),
        ] {
            let response = tree.handle(clientRequest(.put, "/1/0/1", format: format, payload: payload), now: clientNow)
            #expect(response.code == .badRequest, "\(format) \(hexString(payload))")
        }
        #expect(tree.value(at: clientPath("/1/0/1")) == .integer(300))
    }

    @Test func oddUriPathsNeverTrap() {
        var tree = clientTree()
        for (segments, code) in [
            ([""], CoAPCode.methodNotAllowed), (["3", ""], .notFound), (["-1"], .notFound), (["3", "0", "0", "0", "0"], .notFound),
            (["3", "+0"], .notFound), (["rd"], .notFound), (["٣"], .notFound), (["99999999999999999999"], .notFound),
        ] {
            let response = tree.handle(CoAPRequest(method: .get, uriPath: segments, accept: 11542), now: clientNow)
            #expect(response.code == code, "\(segments)")
        }
        #expect(tree.handle(clientRequest(.patch, "/3/0"), now: clientNow).code == .methodNotAllowed)
    }

    @Test func randomRequestsAnswerWithoutServerErrorsAndFailuresChangeNothing() {
        var random = ClientSplitMix(state: 42)
        var tree = clientTree(defaultFormat: .senmlCBOR)
        let paths = ["/", "/1", "/1/0", "/1/0/1", "/3/0", "/3/0/6", "/3/0/6/0", "/3/0/4", "/3303", "/3303/0",
                     "/3303/0/5700", "/19/0/0", "/19/0/0/1", "/3304", "/42/0", "/0/0"]
        let formats: [UInt16?] = [nil, 0, 40, 42, 60, 110, 112, 11542, 11543, 1542, 9999]
        let methods = CoAPMethod.allCases
        var successes = 0
        for _ in 0..<3000 {
            let before = tree
            let request = CoAPRequest(
                method: random.pick(methods), uriPath: random.pick(paths).split(separator: "/").map(String.init),
                uriQuery: random.next() % 4 == 0 ? [random.pick(["pmin=1", "gt=5", "x", "st=-1", "pmax"])] : [],
                contentFormat: random.pick(formats), accept: random.pick(formats),
                payload: random.next() % 3 == 0 ? [] : random.bytes(Int(random.next() % 24)))
            let outcome = tree.process(request, now: clientNow)
            #expect(outcome.response.code.codeClass == 2 || outcome.response.code.codeClass == 4,
                    "\(request): \(outcome.response.code) \(outcome.response.payloadText)")
            if outcome.response.code.isSuccess {
                successes += 1
            } else {
                #expect(tree.objectIDs == before.objectIDs)
                #expect(tree.node(at: clientPath("/3303")) == before.node(at: clientPath("/3303")))
                #expect(tree.node(at: clientPath("/1")) == before.node(at: clientPath("/1")))
                #expect(!outcome.response.payload.isEmpty)
            }
        }
        #expect(successes > 0)
    }
}
