import Foundation
import Testing

@testable import FirmwareOTA

@Suite("Delivery method selection from /5/0/8 and /5/0/9")
struct FirmwareDeliveryMethodTests {
    @Test("the stored names are coap-pull, http-pull and push")
    func rawValues() {
        #expect(FirmwareDeliveryMethod.allCases.map(\.rawValue) == ["coap-pull", "http-pull", "push"])
        #expect(FirmwareMethodChoice.allCases.map(\.rawValue) == ["auto", "coap-pull", "http-pull", "push"])
    }

    @Test("auto prefers CoAP pull when the device supports CoAP and both deliveries")
    func autoPrefersCoAPPull() {
        let selection = FirmwareDeliveryMethod.select(.auto, protocols: [0, 2], deliveryMethods: 2, dtls: false)
        #expect(selection == .method(.coapPull))
    }

    @Test("auto uses HTTP pull when CoAP is missing")
    func autoFallsBackToHTTP() {
        let selection = FirmwareDeliveryMethod.select(.auto, protocols: [2], deliveryMethods: 0, dtls: false)
        #expect(selection == .method(.httpPull))
    }

    @Test("a DTLS device needs CoAPS for CoAP pull and HTTPS for HTTP pull")
    func dtlsNeedsSecureSchemes() {
        #expect(FirmwareDeliveryMethod.select(.auto, protocols: [1], deliveryMethods: 2, dtls: true)
            == .method(.coapPull))
        #expect(FirmwareDeliveryMethod.select(.auto, protocols: [0, 3], deliveryMethods: 2, dtls: true)
            == .method(.httpPull))
        #expect(FirmwareDeliveryMethod.select(.auto, protocols: [0, 2], deliveryMethods: 2, dtls: true)
            == .method(.push))
    }

    @Test("auto uses push for a push-only device even when it lists pull protocols")
    func autoPushOnly() {
        let selection = FirmwareDeliveryMethod.select(.auto, protocols: [0, 1], deliveryMethods: 1, dtls: false)
        #expect(selection == .method(.push))
    }

    @Test("unknown /5/0/8 counts as CoAP (CoAPS for DTLS) and unknown /5/0/9 as both", arguments: [false, true])
    func unknownAnnouncements(dtls: Bool) {
        #expect(FirmwareDeliveryMethod.select(.auto, protocols: nil, deliveryMethods: nil, dtls: dtls)
            == .method(.coapPull))
        #expect(FirmwareDeliveryMethod.select(.auto, protocols: [], deliveryMethods: nil, dtls: dtls)
            == .method(.coapPull))
        #expect(FirmwareDeliveryMethod.select(.push, protocols: nil, deliveryMethods: nil, dtls: dtls)
            == .method(.push))
        #expect(FirmwareDeliveryMethod.select(.httpPull, protocols: nil, deliveryMethods: nil, dtls: dtls).method
            == nil)
    }

    @Test("auto on a pull-only device without a usable protocol is unsupported")
    func autoNothingUsable() {
        let selection = FirmwareDeliveryMethod.select(.auto, protocols: [4, 5], deliveryMethods: 0, dtls: false)
        guard case .unsupported(let reason) = selection else {
            Issue.record("expected unsupported, got \(selection)")
            return
        }
        #expect(reason.contains("/5/0/8 = [4, 5]"))
    }

    @Test("push requested from a pull-only device is unsupported with the reason")
    func pushOnPullOnly() {
        let selection = FirmwareDeliveryMethod.select(.push, protocols: [0], deliveryMethods: 0, dtls: false)
        #expect(selection == .unsupported(reason: "the device accepts only pull delivery (/5/0/9 = 0)"))
        #expect(selection.method == nil)
    }

    @Test("CoAP pull requested from a device that speaks only HTTP is unsupported with the reason")
    func coapPullWithoutCoAP() {
        let selection = FirmwareDeliveryMethod.select(.coapPull, protocols: [3, 2], deliveryMethods: 2, dtls: false)
        #expect(selection == .unsupported(reason: "the device does not support CoAP downloads (/5/0/8 = [2, 3])"))
    }

    @Test("a pull requested from a push-only device is unsupported", arguments: [
        FirmwareMethodChoice.coapPull, .httpPull,
    ])
    func pullOnPushOnly(choice: FirmwareMethodChoice) {
        let selection = FirmwareDeliveryMethod.select(choice, protocols: [0, 2], deliveryMethods: 1, dtls: false)
        #expect(selection == .unsupported(reason: "the device accepts only push delivery (/5/0/9 = 1)"))
    }

    @Test("an explicit supported choice is kept even when auto would pick another")
    func explicitChoiceKept() {
        #expect(FirmwareDeliveryMethod.select(.httpPull, protocols: [0, 2], deliveryMethods: 2, dtls: false)
            == .method(.httpPull))
        #expect(FirmwareDeliveryMethod.select(.push, protocols: [0, 2], deliveryMethods: 2, dtls: false)
            == .method(.push))
    }
}
