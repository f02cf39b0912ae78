import Foundation
import Testing

/// The details an attack run found (issue P8 item 6), against the real server with libcoap's `coap-client-notls`
/// as the device: Unicode-equivalent endpoint names are one endpoint, device input cannot forge log lines or put
/// raw control bytes in the log, a SenML string with U+0000 and an unknown SenML version are refused instead of
/// stored cut or misread, and `--nosec-address-check` ties a NoSec registration to its address.
@Suite(.serialized)
struct AttackDetailsEndToEndTests {
    @Test func nfcAndNfdNamesAreOneEndpointInMemoryAndOverREST() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        // "café" with U+00E9, then with "e" + U+0301 from another port: the second replaces the first.
        let nfc = try await CoAPClientTool.run([
            "-p", "\(FreePort.udp())", "-m", "post", "-t", "40", "-e", "</3/0>",
            "\(server.coapURL)/rd?ep=caf%C3%A9&lt=60",
        ])
        #expect(nfc.code == "2.01", "\(nfc.output)")
        let nfd = try await CoAPClientTool.run([
            "-p", "\(FreePort.udp())", "-m", "post", "-t", "40", "-e", "</3/0>",
            "\(server.coapURL)/rd?ep=cafe%CC%81&lt=60",
        ])
        #expect(nfd.code == "2.01", "\(nfd.output)")
        try await server.eventually("both registrations stored") {
            let names = try await server.endpoints().compactMap { $0["endpoint"] as? String }
            return names.contains("caf\u{E9}")
        }
        try await Task.sleep(for: .milliseconds(300))
        let names = try await server.endpoints().compactMap { $0["endpoint"] as? String }
        #expect(names.map { Array($0.utf8) } == [[0x63, 0x61, 0x66, 0xC3, 0xA9]], "one row, in NFC: \(names)")
        let viaNFC = try await server.http("GET", "/api/v1/endpoints/caf%C3%A9")
        let viaNFD = try await server.http("GET", "/api/v1/endpoints/cafe%CC%81")
        #expect(viaNFC.0 == 200 && viaNFD.0 == 200)
        let id = { (data: Data) in (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["registrationId"] as? String }
        #expect(id(viaNFC.1) != nil && id(viaNFC.1) == id(viaNFD.1))
    }

    @Test func deviceInputCannotForgeLogLinesOrPutControlBytesInTheLog() async throws {
        let server = ServerProcess(mode: .process)  // the executable's own log handler
        try await server.start()
        defer { Task { await server.stop() } }
        // A refused Register whose query holds a newline and a fake log line, and an ESC sequence.
        let forged = "2026-12-04T00:00:00+0000 critical lwm2m-server: FORGED admin logged in"
        let refused = try await CoAPClientTool.run([
            "-m", "post", "-t", "40", "-e", "</3/0>",
            "\(server.coapURL)/rd?ep=x&lwm2m=9%0A\(forged.replacingOccurrences(of: " ", with: "%20").replacingOccurrences(of: "+", with: "%2B"))&x=%1B%5B31mred",
        ])
        #expect(refused.code == "4.00" || refused.code == "4.12", "\(refused.output)")
        try await server.eventually("the refusal is logged") { server.log.contains("refused register") }
        let log = server.log
        #expect(!log.split(separator: "\n").contains { $0.hasPrefix("2026-12-04T00:00:00+0000 critical") }, "no forged line")
        #expect(log.contains("\\n2026-12-04T00:00:00+0000 critical lwm2m-server: FORGED"), "the newline is escaped")
        #expect(!log.utf8.contains(0x1B), "no raw ESC byte")
        #expect(log.contains("\\u{1b}[31mred"))
    }

    @Test func aSenMLStringWithNulAndAnUnknownSenMLVersionAreRefusedAndNothingIsStored() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let device = "\(FreePort.udp())"
        _ = try await CoAPClientTool.run(["-p", device, "-m", "post", "-t", "40", "-e", "</3/0>,</3303/0>",
                                          "\(server.coapURL)/rd?ep=nul&lwm2m=1.1&lt=60"])
        try await server.eventually("registered") { try await server.endpoint("nul") != nil }
        let stored = try await CoAPClientTool.run([
            "-p", device, "-m", "post", "-t", "110", "-e", #"[{"n":"/3/0/0","vs":"first"}]"#, "\(server.coapURL)/dp",
        ])
        #expect(stored.code == "2.04", "\(stored.output)")
        try await server.eventually("the first value is stored") {
            String(decoding: try await server.http("GET", "/api/v1/endpoints/nul/latest").1, as: UTF8.self).contains("first")
        }
        for payload in [#"[{"n":"/3/0/0","vs":"a\u0000b"}]"#, #"[{"bver":99,"n":"/3/0/0","vs":"later"}]"#,
                        #"[{"bver":0,"n":"/3/0/0","vs":"later"}]"#]
        {
            let send = try await CoAPClientTool.run(["-p", device, "-m", "post", "-t", "110", "-e", payload, "\(server.coapURL)/dp"])
            #expect(send.code == "4.00", "\(payload): \(send.output)")
        }
        // A version this server reads is taken.
        let versioned = try await CoAPClientTool.run([
            "-p", device, "-m", "post", "-t", "110", "-e", #"[{"bver":10,"n":"/3303/0/5700","v":21.5}]"#, "\(server.coapURL)/dp",
        ])
        #expect(versioned.code == "2.04", "\(versioned.output)")
        try await server.eventually("the versioned value is stored") {
            String(decoding: try await server.http("GET", "/api/v1/endpoints/nul/latest").1, as: UTF8.self).contains("21.5")
        }
        let latest = String(decoding: try await server.http("GET", "/api/v1/endpoints/nul/latest").1, as: UTF8.self)
        #expect(latest.contains(#""value":"first""#), "the stored string is untouched: \(latest)")
        #expect(!latest.contains(#""value":"a""#) && !latest.contains("later"), "\(latest)")
    }

    @Test(arguments: [false, true])
    func nosecAddressCheckTiesUpdateAndDeregisterToTheRegistrationsAddress(checked: Bool) async throws {
        let server = ServerProcess()
        try await server.start(extraArguments: checked ? ["--nosec-address-check"] : [])
        defer { Task { await server.stop() } }
        let home = "\(FreePort.udp())"
        let registered = try await CoAPClientTool.run([
            "-p", home, "-m", "post", "-t", "40", "-e", "</3/0>", "\(server.coapURL)/rd?ep=nosec&lt=60",
        ])
        #expect(registered.code == "2.01", "\(registered.output)")
        try await server.eventually("registered") { try await server.endpoint("nosec")?["online"] as? Bool == true }
        let id = try #require(try await server.endpoint("nosec")?["registrationId"] as? String)
        // Another client that learned the registration id.
        let elsewhere = try await CoAPClientTool.run(["-p", "\(FreePort.udp())", "-m", "post", "\(server.coapURL)/rd/\(id)"])
        #expect(elsewhere.code == (checked ? "4.03" : "2.04"), "\(elsewhere.output)")
        if checked {
            let gone = try await CoAPClientTool.run(["-p", "\(FreePort.udp())", "-m", "delete", "\(server.coapURL)/rd/\(id)"])
            #expect(gone.code == "4.03", "\(gone.output)")
            #expect(server.log.contains("was made from 127.0.0.1:\(home)"))
            // From its own address the device still updates and de-registers.
            let update = try await CoAPClientTool.run(["-p", home, "-m", "post", "\(server.coapURL)/rd/\(id)"])
            #expect(update.code == "2.04", "\(update.output)")
            let deregister = try await CoAPClientTool.run(["-p", home, "-m", "delete", "\(server.coapURL)/rd/\(id)"])
            #expect(deregister.code == "2.02", "\(deregister.output)")
        }
    }
}
