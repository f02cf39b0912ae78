import Foundation
import Testing

@testable import LwM2M

/// The seven attributes described once (`NotificationAttributes.Name`): parsing, ranges, the Uri-Query and the
/// JSON form every store and the REST API share.
@Suite("Notification attributes")
struct NotificationAttributesTests {
    @Test("query values: digits for periods, decimal numbers otherwise, within range")
    func parsing() {
        typealias Name = NotificationAttributes.Name
        #expect(Name.pmin.parse("10") == 10)
        #expect(Name.epmax.parse("0") == 0)
        for bad in ["-1", "1.5", "1e3", "", " 1", "99999999999"] { #expect(Name.pmax.parse(Substring(bad)) == nil, "\(bad)") }
        #expect(Name.gt.parse("-20.5") == -20.5)
        #expect(Name.lt.parse("1e3") == 1000)
        for bad in ["nan", "inf", "0x10", "1,5", String(repeating: "1", count: 65)] {
            #expect(Name.gt.parse(Substring(bad)) == nil, "\(bad)")
        }
        #expect(Name.st.parse("-1") == nil)
        #expect(Name.st.parse("0.5") == 0.5)
        #expect(Name.allCases.filter(\.isPeriod) == [.pmin, .pmax, .epmin, .epmax])
    }

    @Test("the subscript reads and writes each field")
    func subscriptAccess() {
        var attributes = NotificationAttributes()
        for (index, name) in NotificationAttributes.Name.allCases.enumerated() { attributes[name] = Double(index + 1) }
        #expect(attributes == NotificationAttributes(pmin: 1, pmax: 2, gt: 3, lt: 4, st: 5, epmin: 6, epmax: 7))
        attributes[.gt] = nil
        #expect(attributes.gt == nil)
        #expect(attributes.queryItems == ["pmin=1", "pmax=2", "lt=4", "st=5", "epmin=6", "epmax=7"])
    }

    @Test("the JSON form: present attributes only, unset when there is something to remove, old rows still read")
    func json() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let attributes = NotificationAttributes(pmin: 1, pmax: 10, gt: 30.5)
        #expect(String(decoding: try encoder.encode(attributes), as: UTF8.self) == #"{"gt":30.5,"pmax":10,"pmin":1}"#)
        let removing = NotificationAttributes(epmin: 2, unset: ["lt"])
        #expect(String(decoding: try encoder.encode(removing), as: UTF8.self) == #"{"epmin":2,"unset":["lt"]}"#)
        let decoder = JSONDecoder()
        #expect(try decoder.decode(NotificationAttributes.self, from: Data(#"{"gt":30.5,"pmax":10,"pmin":1}"#.utf8)) == attributes)
        // Operations stored before the fold always carried `unset`.
        #expect(try decoder.decode(NotificationAttributes.self, from: Data(#"{"pmin":5,"gt":20.5,"unset":[]}"#.utf8))
            == NotificationAttributes(pmin: 5, gt: 20.5))
        #expect(try decoder.decode(NotificationAttributes.self, from: Data(#"{"epmin":2,"unset":["lt"]}"#.utf8)) == removing)
    }
}
