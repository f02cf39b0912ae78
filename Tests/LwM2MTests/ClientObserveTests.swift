import CoAP
import Foundation
import Testing
@testable import LwM2M

/// Observe and Cancel Observation on the client tree (LwM2M 1.1 Core §6.4.1/§6.4.2, RFC 7641), with an injected clock.
struct ClientObserveTests {
    @Test func observeRegistersTheObserverAndAnswersWithObserve() throws {
        var tree = clientTree()
        let response = tree.observe(observeRequest("/3303/0/5700"))
        #expect(response.code == .content)
        #expect(response.observe == 1)
        #expect(response.contentFormat == ContentFormat.tlv.rawValue)
        #expect(try clientDecode(response, at: "/3303/0/5700") == .singleResource(id: 5700, value: .float(21.5)))
        #expect(tree.observations.all == [ClientObservation(
            session: observeSession, token: observeToken, paths: [clientPath("/3303/0/5700")], isComposite: false,
            format: .tlv, sequence: 1, lastNotified: clientNow,
            lastValues: [clientPath("/3303/0/5700"): .singleResource(id: 5700, value: .float(21.5))])])
    }

    @Test func withoutAttributesOnlyChangesNotify() throws {
        var tree = clientTree()
        _ = tree.observe(observeRequest("/3303/0/5700"))
        #expect(tree.dueNotifications(now: observeTime(3600)).isEmpty)
        tree.setTemperature(22.25)
        let notifications = tree.dueNotifications(now: observeTime(3601))
        #expect(notifications.count == 1)
        let notification = try #require(notifications.first)
        #expect(notification.session == observeSession)
        #expect(notification.token == observeToken)
        #expect(notification.count == 1)
        #expect(!notification.isFinal)
        #expect(notification.response.code == .content)
        #expect(notification.response.observe == 2)
        #expect(notification.response.contentFormat == ContentFormat.tlv.rawValue)
        #expect(try clientDecode(notification.response, at: "/3303/0/5700")
            == .singleResource(id: 5700, value: .float(22.25)))
        #expect(notification.values == [ClientReportedValue(path: clientPath("/3303/0/5700"), value: .float(22.25))])
        #expect(tree.observations.all.first?.lastNotified == observeTime(3601))
        tree.expectNotified([], at: 3602)
    }

    @Test func pminHoldsChangesBack() {
        var tree = clientTree()
        tree.writeAttributes("/3303/0/5700", ["pmin=10"])
        _ = tree.observe(observeRequest("/3303/0/5700"))
        tree.setTemperature(23)
        tree.expectNotified([], at: 3)
        tree.expectNotified([], at: 9.999)
        tree.expectNotified([2], at: 10)
        tree.setTemperature(24)
        tree.expectNotified([], at: 15)
        tree.expectNotified([3], at: 20)
    }

    @Test func pmaxNotifiesWithoutChange() {
        var tree = clientTree()
        tree.writeAttributes("/3303/0/5700", ["pmax=30"])
        _ = tree.observe(observeRequest("/3303/0/5700"))
        tree.expectNotified([], at: 29)
        tree.expectNotified([2], at: 30)
        tree.expectNotified([], at: 59)
        tree.expectNotified([3], at: 60)
    }

    @Test func pmaxNotGreaterThanPminIsIgnored() {
        var tree = clientTree()
        tree.writeAttributes("/3303/0/5700", ["pmin=20", "pmax=10"])
        _ = tree.observe(observeRequest("/3303/0/5700"))
        tree.expectNotified([], at: 1000)
        tree.setTemperature(30)
        tree.expectNotified([2], at: 1001)
    }

    @Test func maximumIntervalBoundsTheSilence() {
        var tree = clientTree()
        _ = tree.observe(observeRequest("/3303/0/5700"))
        tree.expectNotified([], at: 4.9, maximumInterval: 5)
        tree.expectNotified([2], at: 5, maximumInterval: 5)
        tree.writeAttributes("/3303/0/5700", ["pmax=3"])
        tree.expectNotified([3], at: 8, maximumInterval: 5)
        tree.writeAttributes("/3303/0/5700", ["pmax", "pmin=8"])
        tree.expectNotified([], at: 15, maximumInterval: 5)
        tree.expectNotified([4], at: 16, maximumInterval: 5)
    }

    @Test func epminSpacesTheEvaluations() {
        var tree = clientTree()
        tree.writeAttributes("/3303/0/5700", ["epmin=5"])
        _ = tree.observe(observeRequest("/3303/0/5700"))
        tree.setTemperature(23)
        tree.expectNotified([], at: 1)
        tree.expectNotified([], at: 4.9)
        tree.expectNotified([2], at: 5)
        tree.setTemperature(24)
        tree.expectNotified([], at: 6)
        #expect(tree.observations.all.first?.lastEvaluated == observeTime(5))
        tree.expectNotified([3], at: 10)
        #expect(tree.observations.all.first?.lastEvaluated == observeTime(10))
        // pmax is a period, not a criterion: epmin does not hold it back.
        tree.writeAttributes("/3303/0/5700", ["epmin=100", "pmax=3"])
        tree.expectNotified([4], at: 13)
    }

    @Test func greaterThanNotifiesOnCrossingOnly() {
        var tree = clientTree()
        tree.writeAttributes("/3303/0/5700", ["gt=25"])
        _ = tree.observe(observeRequest("/3303/0/5700"))
        tree.setTemperature(24)
        tree.expectNotified([], at: 1)
        tree.setTemperature(26)
        tree.expectNotified([2], at: 2)
        tree.setTemperature(27)
        tree.expectNotified([], at: 3)
        tree.setTemperature(24.5)
        tree.expectNotified([3], at: 4)
    }

    @Test func lessThanNotifiesOnCrossingOnly() {
        var tree = clientTree()
        tree.writeAttributes("/3303/0/5700", ["lt=20"])
        _ = tree.observe(observeRequest("/3303/0/5700"))
        tree.setTemperature(20.5)
        tree.expectNotified([], at: 1)
        tree.setTemperature(19)
        tree.expectNotified([2], at: 2)
        tree.setTemperature(18)
        tree.expectNotified([], at: 3)
        tree.setTemperature(21)
        tree.expectNotified([3], at: 4)
    }

    @Test func stepComparesWithTheLastNotifiedValue() {
        var tree = clientTree()
        tree.writeAttributes("/3303/0/5700", ["st=1"])
        _ = tree.observe(observeRequest("/3303/0/5700"))
        tree.setTemperature(22)
        tree.expectNotified([], at: 1)
        tree.setTemperature(22.5)
        tree.expectNotified([2], at: 2)
        tree.setTemperature(23.4)
        tree.expectNotified([], at: 3)
        tree.setTemperature(21.5)
        tree.expectNotified([3], at: 4)
        #expect(tree.observations.all.first?.lastValues[clientPath("/3303/0/5700")]
            == .singleResource(id: 5700, value: .float(21.5)))
    }

    @Test func thresholdsAreAlternatives() {
        var tree = clientTree()
        tree.writeAttributes("/3303/0/5700", ["lt=10", "gt=30", "st=5"])
        _ = tree.observe(observeRequest("/3303/0/5700"))
        tree.setTemperature(25)
        tree.expectNotified([], at: 1)
        tree.setTemperature(26.5)
        tree.expectNotified([2], at: 2)
        tree.setTemperature(30.5)
        tree.expectNotified([3], at: 3)
        tree.setTemperature(9.5)
        tree.expectNotified([4], at: 4)
    }

    @Test func integerResourcesTakeThresholdsToo() {
        var tree = clientTree()
        tree.writeAttributes("/3/0/9", ["gt=50"])
        _ = tree.observe(observeRequest("/3/0/9"))
        try! tree.setValue(.integer(60), at: clientPath("/3/0/9"))
        tree.expectNotified([], at: 1)
        try! tree.setValue(.integer(40), at: clientPath("/3/0/9"))
        tree.expectNotified([2], at: 2)
    }

    @Test func attributesAreInheritedFromInstanceAndObject() {
        var tree = clientTree()
        tree.writeAttributes("/3303", ["pmin=5", "pmax=60"])
        tree.writeAttributes("/3303/0", ["pmin=10"])
        tree.writeAttributes("/3303/0/5700", ["gt=25"])
        #expect(tree.effectiveAttributes(at: clientPath("/3303/0/5700"))
            == NotificationAttributes(pmin: 10, pmax: 60, gt: 25))
        #expect(tree.effectiveAttributes(at: clientPath("/3303/0")) == NotificationAttributes(pmin: 10, pmax: 60))
        #expect(tree.effectiveAttributes(at: clientPath("/3303/0/5701")) == NotificationAttributes(pmin: 10, pmax: 60))
        #expect(tree.effectiveAttributes(at: clientPath("/3")) == NotificationAttributes())
        tree.writeAttributes("/3/0/7", ["gt=4000"])
        tree.writeAttributes("/3/0", ["pmax=9"])
        #expect(tree.effectiveAttributes(at: clientPath("/3/0/7/1")) == NotificationAttributes(pmax: 9, gt: 4000))

        _ = tree.observe(observeRequest("/3303/0/5701"))
        tree.expectNotified([], at: 59)
        tree.expectNotified([2], at: 60)
        tree.writeAttributes("/3303/0/5701", ["pmax=20"])
        tree.expectNotified([], at: 79)
        tree.expectNotified([3], at: 80)
    }

    @Test func resourceAttributesDoNotApplyToTheInstance() {
        var tree = clientTree()
        tree.writeAttributes("/3303/0/5700", ["gt=25", "pmin=100"])
        _ = tree.observe(observeRequest("/3303/0"))
        tree.setTemperature(22)
        tree.expectNotified([2], at: 1)
    }

    @Test func sequenceNumbersIncreasePerObservationAndWrap() {
        var tree = clientTree()
        tree.writeAttributes("/3303/0/5700", ["pmax=1"])
        var answer = tree.observe(observeRequest("/3303/0/5700"))
        #expect(answer.observe == 1)
        answer = tree.observe(observeRequest("/3/0/9"), token: [9])
        #expect(answer.observe == 1)
        tree.expectNotified([2], at: 1)
        tree.expectNotified([3], at: 2)
        // The same token observes again: the entry is replaced, its numbers go on (RFC 7641 §4.1, §4.4).
        answer = tree.observe(observeRequest("/3303/0/5700"), at: 2)
        #expect(answer.observe == 4)
        #expect(tree.observations.all.count == 2)
        #expect(tree.observations.all.first?.notificationCount == 0)
        // Another session with the same token is another observer.
        let other = CoAPSessionID(rawValue: 8)
        answer = tree.observe(observeRequest("/3303/0/5700"), session: other, at: 2)
        #expect(answer.observe == 1)
        #expect(tree.observations.all.count == 3)
        #expect(ClientObservations.sequence(after: 41) == 42)
        #expect(ClientObservations.sequence(after: 0xFF_FFFF) == 0)
    }

    @Test func observeOneCancelsAndAnswersNormally() throws {
        var tree = clientTree()
        _ = tree.observe(observeRequest("/3303/0/5700"))
        let response = tree.observe(observeRequest("/3303/0/5700", observe: 1))
        #expect(response.code == .content)
        #expect(response.observe == nil)
        #expect(try clientDecode(response, at: "/3303/0/5700") == .singleResource(id: 5700, value: .float(21.5)))
        #expect(tree.observations.isEmpty)
        tree.setTemperature(30)
        tree.expectNotified([], at: 1)
    }

    @Test func observeOneWithAnotherTokenCancelsThePath() {
        var tree = clientTree()
        _ = tree.observe(observeRequest("/3303/0/5700"))
        _ = tree.observe(observeRequest("/3/0/9"), token: [1])
        _ = tree.observe(observeRequest("/3303/0/5700"), session: CoAPSessionID(rawValue: 99), token: [2])
        _ = tree.observe(observeRequest("/3303/0/5700", observe: 1), token: [5])
        #expect(tree.observations.all.map(\.token) == [[1], [2]])
        _ = tree.observe(observeRequest("/3303/0", observe: 1), token: [6])
        #expect(tree.observations.all.map(\.token) == [[1], [2]])
    }

    @Test func resetRemovesTheObserver() {
        var tree = clientTree()
        _ = tree.observe(observeRequest("/3303/0/5700"))
        _ = tree.observe(observeRequest("/3/0/9"), token: [1])
        let first = tree.cancelObservation(session: observeSession, token: observeToken)
        let second = tree.cancelObservation(session: observeSession, token: observeToken)
        #expect(first)
        #expect(!second)
        #expect(tree.observations.all.map(\.token) == [[1]])
        tree.setTemperature(30)
        tree.expectNotified([], at: 1)
    }

    @Test func registeringAgainForgetsEveryObserver() {
        var tree = clientTree()
        _ = tree.observe(observeRequest("/3303/0/5700"))
        _ = tree.observe(observeRequest("/3/0"), token: [1])
        tree.removeAllObservations()
        #expect(tree.observations.isEmpty)
        tree.setTemperature(30)
        #expect(tree.dueNotifications(now: observeTime(100), maximumInterval: 1).isEmpty)
    }

    @Test func aFailedObserveRegistersNothingAndDropsTheToken() {
        var tree = clientTree()
        _ = tree.observe(observeRequest("/3303/0/5700"))
        var answer = tree.observe(observeRequest("/3303/0/5603"), token: [1])
        #expect(answer.code == .notFound)
        answer = tree.observe(observeRequest("/3/0/4"), token: [2])
        #expect(answer.code == .methodNotAllowed)
        answer = tree.observe(observeRequest("/0/0"), token: [3])
        #expect(answer.code == .unauthorized)
        #expect(tree.observations.all.map(\.token) == [observeToken])
        let refused = tree.observe(observeRequest("/3303/0/5700", accept: .opaque))
        #expect(refused.code == .notAcceptable)
        #expect(refused.observe == nil)
        #expect(tree.observations.isEmpty)
    }

    @Test func discoverAndOtherObserveValuesDoNotObserve() {
        var tree = clientTree()
        var answer = tree.observe(observeRequest("/3303/0", accept: .linkFormat))
        #expect(answer.code == .content)
        answer = tree.observe(observeRequest("/3303/0", observe: 7))
        #expect(answer.observe == nil)
        var write = clientRequest(.put, "/3303/0/5700", query: ["pmin=1"])
        write.observe = 0
        answer = tree.observe(write)
        #expect(answer.code == .changed)
        #expect(tree.observations.isEmpty)
        #expect(tree.handle(observeRequest("/3303/0/5700"), now: clientNow).observe == nil)
    }

    @Test func aDeletedInstanceEndsTheObservationWithNotFound() {
        var tree = clientTree()
        _ = tree.observe(observeRequest("/3303/0"))
        _ = tree.observe(observeRequest("/3/0/9"), token: [1])
        #expect(tree.handle(clientRequest(.delete, "/3303/0"), now: clientNow).code == .deleted)
        let notifications = tree.dueNotifications(now: observeTime(1))
        #expect(notifications.count == 1)
        #expect(notifications.first?.isFinal == true)
        #expect(notifications.first?.response.code == .notFound)
        #expect(notifications.first?.response.observe == nil)
        #expect(notifications.first?.token == observeToken)
        #expect(notifications.first?.values == [])
        #expect(tree.observations.all.map(\.token) == [[1]])
    }

    @Test func ruleOnItsOwn() {
        let last = LwM2MNode.singleResource(id: 5700, value: .float(20))
        let current = LwM2MNode.singleResource(id: 5700, value: .float(20.5))
        let none = NotificationAttributes()
        #expect(ClientNotificationRule.isDue(attributes: none, last: last, current: current,
                                             lastNotified: clientNow, now: clientNow))
        #expect(!ClientNotificationRule.isDue(attributes: none, last: last, current: last,
                                              lastNotified: clientNow, now: observeTime(1e6)))
        #expect(!ClientNotificationRule.changed(attributes: NotificationAttributes(st: 0.6), from: last, to: current))
        #expect(ClientNotificationRule.changed(attributes: NotificationAttributes(st: 0.5), from: last, to: current))
        #expect(ClientNotificationRule.period(NotificationAttributes(pmin: 5, pmax: 5), maximumInterval: nil) == nil)
        #expect(ClientNotificationRule.period(NotificationAttributes(pmax: 50), maximumInterval: 20) == 20)
        #expect(ClientNotificationRule.period(NotificationAttributes(pmax: 10), maximumInterval: 0) == 10)
        // Thresholds do not narrow changes of non-numeric values.
        let text = LwM2MNode.singleResource(id: 5701, value: .string("Cel"))
        let other = LwM2MNode.singleResource(id: 5701, value: .string("Far"))
        #expect(ClientNotificationRule.changed(attributes: NotificationAttributes(gt: 1), from: text, to: other))
    }
}
