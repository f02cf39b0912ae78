import Foundation
import Synchronization
import LwM2M
import Testing

@testable import ResourceModel

@Suite("Live event hub")
struct LiveEventHubTests {
    static func event(_ endpoint: String, _ index: Int) -> LiveEvent {
        LiveEvent(
            name: .send, endpoint: endpoint, time: t0.addingTimeInterval(Double(index)),
            payload: .values(observationID: nil, values: [value("/3/0/9", .integer(Int64(index)))]))
    }

    @Test("every subscriber gets every event; an endpoint filter keeps only that endpoint's")
    func fanOut() async throws {
        let hub = LiveEventHub()
        let all = hub.subscribe()
        let alsoAll = hub.subscribe()
        let onlyTwo = hub.subscribe(endpoint: "dev-2")
        #expect(hub.subscriberCount == 3)
        for index in 0..<3 { hub.publish(Self.event(index == 1 ? "dev-2" : "dev-1", index)) }
        hub.finishAll()
        var received: [[String]] = []
        for stream in [all, alsoAll, onlyTwo] {
            var endpoints: [String] = []
            for await event in stream { endpoints.append(event.endpoint) }
            received.append(endpoints)
        }
        #expect(received == [["dev-1", "dev-2", "dev-1"], ["dev-1", "dev-2", "dev-1"], ["dev-2"]])
        #expect(hub.subscriberCount == 0)
    }

    @Test("each event is encoded once for all text subscribers, and not at all when none wants it")
    func encodesOnce() async throws {
        let encodings = Mutex(0)
        let hub = LiveEventHub(encoder: { event in
            encodings.withLock { $0 += 1 }
            return "\(event.endpoint)#\(event.time.timeIntervalSince(t0))"
        })
        let plain = hub.subscribe()
        hub.publish(Self.event("dev-1", 0))
        #expect(encodings.withLock { $0 } == 0)  // only a plain subscriber: nothing encoded
        let texts = (0..<3).map { _ in hub.subscribeEncoded() }
        let onlyTwo = hub.subscribeEncoded(endpoint: "dev-2")
        for index in 1...4 { hub.publish(Self.event(index == 2 ? "dev-2" : "dev-1", index)) }
        hub.finishAll()
        #expect(encodings.withLock { $0 } == 4)
        for stream in texts {
            var got: [String] = []
            for await message in stream { got.append(message.text) }
            #expect(got == ["dev-1#1.0", "dev-2#2.0", "dev-1#3.0", "dev-1#4.0"])
        }
        var two: [EncodedLiveEvent] = []
        for await message in onlyTwo { two.append(message) }
        #expect(two.map(\.text) == ["dev-2#2.0"])
        #expect(two.first?.event == Self.event("dev-2", 2))
        var plainCount = 0
        for await _ in plain { plainCount += 1 }
        #expect(plainCount == 5)
    }

    @Test("a name filter keeps only those events")
    func nameFilter() async throws {
        let hub = LiveEventHub()
        let presence = hub.subscribe(names: [.awake, .sleeping])
        hub.publish(Self.event("dev-1", 0))
        hub.publishPresence(endpoint: "dev-1", awake: true, at: t0)
        hub.publishPresence(endpoint: "dev-2", awake: false, at: t0)
        hub.finishAll()
        var names: [LiveEvent.Name] = []
        for await event in presence { names.append(event.name) }
        #expect(names == [.awake, .sleeping])
    }

    @Test("a subscriber that falls behind is disconnected; the others and the publisher go on")
    func slowConsumer() async throws {
        let hub = LiveEventHub(bufferSize: 4)
        let slow = hub.subscribe()
        let fast = hub.subscribe()
        var fastReceived = 0
        var iterator = fast.makeAsyncIterator()
        for index in 0..<10 {
            hub.publish(Self.event("dev-1", index))  // never waits
            if await iterator.next() != nil { fastReceived += 1 }
        }
        #expect(fastReceived == 10)
        #expect(hub.disconnectedCount == 1)
        #expect(hub.subscriberCount == 1)
        var slowReceived: [Date] = []
        for await event in slow { slowReceived.append(event.time) }  // finishes after the buffered four
        #expect(slowReceived == (0..<4).map { t0.addingTimeInterval(Double($0)) })
    }

    @Test("registration events map to REGISTRATION, UPDATED, DEREGISTRATION (with reason)")
    func registrationEvents() async throws {
        let hub = LiveEventHub()
        let stream = hub.subscribe()
        let registration = makeRegistration()
        hub.publish(.registered(registration, replaced: nil))
        hub.publish(.updated(registration))
        hub.publish(.deregistered(registration), at: t0.addingTimeInterval(5))
        hub.publish(.expired(registration), at: t0.addingTimeInterval(6))
        hub.publishPresence(endpoint: "dev-1", awake: false, at: t0.addingTimeInterval(7))
        hub.finishAll()
        var events: [LiveEvent] = []
        for await event in stream { events.append(event) }
        #expect(events.map(\.name) == [.registration, .updated, .deregistration, .deregistration, .sleeping])
        #expect(events.map(\.time) == [t0, t0, t0.addingTimeInterval(5), t0.addingTimeInterval(6), t0.addingTimeInterval(7)])
        #expect(events[3].payload == .registration(registration, reason: "expired"))
        #expect(events.allSatisfy { $0.endpoint == "dev-1" })
    }
}
