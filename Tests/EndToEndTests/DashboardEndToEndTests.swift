import Foundation
import Testing

/// The web dashboard (issue P9) in a real browser: Debian's chromium, headless, driven over the DevTools protocol
/// against the real server with simulated devices. Screenshots of each page go to `LWM2M_SCREENSHOT_DIR` (default
/// `.build/screenshots`; `make screenshots` writes the README's `docs/screenshots`).
@Suite(.serialized, .enabled(if: Chromium.isInstalled, "needs Debian's chromium (make test installs it)"))
struct DashboardEndToEndTests {
    static var screenshots: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["LWM2M_SCREENSHOT_DIR"] ?? ".build/screenshots")
    }

    /// Runs `body` with a browser on its own thread (its calls block).
    func browse<T: Sendable>(_ server: ServerProcess, _ body: @escaping @Sendable (Chromium) throws -> T) async throws -> T {
        let log = server.dataDir.appendingPathComponent("chromium-\(UUID().uuidString).log")
        return try await onOwnThread {
            let browser = try Chromium(logURL: log)
            defer { browser.close() }
            return try body(browser)
        }
    }

    @Test func theFleetEndpointConsolePlotOperationsAndCampaignsWorkInABrowser() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let requestLog = server.dataDir.appendingPathComponent("requests.log")
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "3", "--prefix", "dash-", "--lifetime", "120",
                        "--notify-interval", "1", "--request-log", requestLog.path],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(20), "three devices online") {
            try await server.endpoints().filter { $0["online"] as? Bool == true }.count == 3
        }
        // Values to plot: the temperature observed for a while.
        let (observed, _) = try await server.http(
            "POST", "/api/v1/endpoints/dash-1/observations", body: Data(#"{"paths":["/3303/0/5700"]}"#.utf8))
        #expect(observed == 201)
        try await server.eventually(timeout: .seconds(20), "temperatures stored") {
            let (_, data) = try await server.http("GET", "/api/v1/endpoints/dash-1/telemetry?path=/3303/0/5700&limit=3")
            return ((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["values"] as? [Any])?.count == 3
        }
        let base = "http://127.0.0.1:\(server.httpPort)/"
        let coapURL = server.coapURL
        let logDirectory = server.dataDir
        let shots = Self.screenshots
        let token = ServerProcess.token

        // Sign in, then the fleet: three rows, the counts, a filter.
        try await browse(server) { browser in
            try browser.navigate(base)
            try browser.waitFor("document.getElementById('sign-in-form')", what: "the sign-in form")
            _ = try browser.evaluate("""
                document.getElementById('token-input').value = 'not-the-token';
                document.getElementById('sign-in-form').requestSubmit(); true
                """)
            try browser.waitFor("document.getElementById('sign-in-error').textContent.includes('not valid')", what: "a refused token")
            _ = try browser.evaluate("""
                document.getElementById('token-input').value = '\(token)';
                document.getElementById('sign-in-form').requestSubmit(); true
                """)
            try browser.waitFor("document.querySelectorAll('#fleet-table tbody tr').length === 3", what: "three endpoints listed")
            try browser.waitFor("document.querySelector('[data-presence=total] strong').textContent === '3'", what: "the count")
            #expect(try browser.evaluate("document.querySelector('[data-presence=online] strong').textContent") as? String == "3")
            try browser.screenshot(to: shots.appendingPathComponent("fleet.png"))
            try browser.navigate(base + "#/?name=dash-2")
            try browser.waitFor("document.querySelectorAll('#fleet-table tbody tr').length === 1", what: "the filtered list")
            #expect(try browser.evaluate("document.querySelector('#fleet-table tbody tr').dataset.endpoint") as? String == "dash-2")
            try browser.navigate(base + "#/")
            try browser.waitFor("document.querySelectorAll('#fleet-table tbody tr').length === 3", what: "the whole fleet again")
        }
        // A device that registers while the fleet page is open appears without a reload.
        let late = try await browse(server) { browser -> ChildProcess in
            try browser.navigate(base + "#token=\(token)")
            try browser.waitFor("document.querySelectorAll('#fleet-table tbody tr').length === 3", what: "three endpoints listed")
            _ = try browser.evaluate("window.notReloaded = true; true")
            let late = try ChildProcess(
                executable: Binaries.url("lwm2m-sim"),
                arguments: ["--server", coapURL, "--count", "1", "--prefix", "late-", "--lifetime", "120"],
                logURL: logDirectory.appendingPathComponent("sim-late.log"))
            try browser.waitFor("document.querySelector('#fleet-table tr[data-endpoint=\"late-1\"]')", what: "the new device listed live")
            #expect(try browser.evaluate("window.notReloaded === true && document.querySelector('[data-presence=total] strong').textContent === '4'") as? Bool == true)
            return late
        }
        _ = await late.stop(signal: SIGKILL)

        // The endpoint console: the tree with names from the definitions; a Write from the form reaches the device;
        // a notification shows without a reload.
        try await browse(server) { browser in
            try browser.navigate(base + "#token=\(token)")
            try browser.navigate(base + "#/endpoint/dash-1")
            try browser.waitFor("document.querySelector('#object-tree [data-path=\"/3/0/14\"]')", what: "the object tree")
            let names = try browser.evaluate("[...document.querySelectorAll('#object-tree summary')].map(s => s.textContent).join('|')") as? String ?? ""
            #expect(names.contains("/3 Device"))
            #expect(names.contains("/3303 Temperature"))
            #expect(try browser.evaluate("document.querySelector('[data-path=\"/3/0/0\"]').textContent.includes('Manufacturer')") as? Bool == true)
            _ = try browser.evaluate("""
                const row = document.querySelector('[data-path="/3/0/14"]');
                for (let d = row.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;
                row.querySelector('input[name=value]').value = '+05:00';
                row.querySelector('form').requestSubmit(); true
                """)
            try browser.waitFor("document.querySelector('[data-path=\"/3/0/14\"] .value').textContent.includes('written')", what: "the write's answer")
            _ = try browser.evaluate("document.querySelector('[data-path=\"/3/0/14\"] button').click(); true")
            try browser.waitFor("document.querySelector('[data-path=\"/3/0/14\"] .value').textContent === '+05:00'", what: "the value read back")
            try browser.waitFor("document.getElementById('endpoint-log').textContent.includes('NOTIFICATION /3303/0/5700')", what: "a live notification")
            // Write-Attributes: "Attributes" on a resource fills the form's path; pmin > pmax is refused in the page.
            _ = try browser.evaluate("""
                (() => {
                  document.querySelector('[data-path="/3303/0/5700"] button[aria-label^="Attributes"]').click();
                  const form = document.getElementById('attributes-form');
                  form.elements.pmin.value = '9'; form.elements.pmax.value = '3'; form.requestSubmit(); return true
                })()
                """)
            try browser.waitFor("document.getElementById('attributes-status').textContent.includes('must not be greater')", what: "pmin > pmax refused")
            #expect(try browser.evaluate("document.getElementById('attributes-form').elements.path.value") as? String == "/3303/0/5700")
            _ = try browser.evaluate("""
                (() => {
                  const form = document.getElementById('attributes-form');
                  form.elements.pmin.value = '2'; form.elements.pmax.value = '30'; form.requestSubmit(); return true
                })()
                """)
            try browser.waitFor("document.getElementById('attributes-status').textContent === 'Attributes written to /3303/0/5700.'", what: "the attributes written")
            // Create: a new temperature instance with its id and units, from the object's form.
            _ = try browser.evaluate("""
                (() => {
                  const form = document.querySelector('form[data-create="3303"]');
                  form.closest('details').open = true; form.closest('[data-object]').open = true;
                  form.elements.instance.value = '7'; form.elements['r-5701'].value = 'Cel';
                  form.requestSubmit(); return true
                })()
                """)
            try browser.waitFor("document.querySelector('form[data-create=\"3303\"]').textContent.includes('Created /3303/7')", what: "the instance created")
            try browser.screenshot(to: shots.appendingPathComponent("endpoint.png"))
        }
        let log = try String(contentsOf: requestLog, encoding: .utf8)
        #expect(log.split(separator: "\n").contains { $0.contains(#""endpoint":"dash-1""#) && $0.contains(#""method":"PUT""#) && $0.contains(#""path":"/3/0/14""#) })
        #expect(log.split(separator: "\n").contains {
            $0.contains(#""endpoint":"dash-1""#) && $0.contains(#""path":"/3303/0/5700""#)
                && $0.contains(#""operation":"write-attributes""#) && $0.contains(#""query":"pmin=2&pmax=30""#)
        }, "the Write-Attributes of the form reached the device")
        #expect(log.split(separator: "\n").contains {
            $0.contains(#""endpoint":"dash-1""#) && $0.contains(#""method":"POST""#) && $0.contains(#""path":"/3303""#)
                && $0.contains(#""operation":"create""#) && $0.contains(#""code":"2.01""#)
        }, "the Create of the form reached the device")
        let (_, created) = try await server.http("GET", "/api/v1/endpoints/dash-1/resources/3303/7/5701")
        #expect(String(decoding: created, as: UTF8.self).contains(#""value":"Cel""#))

        // The plot shows the buckets the telemetry API gives.
        let plotted = try await browse(server) { browser -> String in
            try browser.navigate(base + "#token=\(token)")
            try browser.navigate(base + "#/plot/dash-1/3303/0/5700")
            try browser.waitFor("document.querySelector('#chart svg path.line')", what: "the chart")
            try browser.screenshot(to: shots.appendingPathComponent("plot.png"))
            return try browser.evaluate("document.getElementById('chart').dataset.buckets") as? String ?? "[]"
        }
        let points = try #require(try JSONSerialization.jsonObject(with: Data(plotted.utf8)) as? [[Double]])
        #expect(!points.isEmpty)
        let from = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-7200))
        let (_, bucketData) = try await server.http(
            "GET", "/api/v1/endpoints/dash-1/telemetry?path=/3303/0/5700&bucket=60s&agg=avg&from=\(from)")
        let buckets = try #require((try JSONSerialization.jsonObject(with: bucketData) as? [String: Any])?["buckets"] as? [[String: Any]])
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let byStart = Dictionary(buckets.compactMap { bucket -> (Double, Double)? in
            guard let start = (bucket["start"] as? String).flatMap(formatter.date(from:)), let value = bucket["value"] as? Double
            else { return nil }
            return (start.timeIntervalSince1970 * 1000, value)
        }, uniquingKeysWith: { first, _ in first })
        for point in points {
            // The newest bucket may have grown between the two reads; every other one is the same.
            guard point[0] < (byStart.keys.max() ?? 0) else { continue }
            #expect(byStart[point[0]].map { abs($0 - point[1]) < 1e-9 } == true, "plotted \(point) not in the API's buckets")
        }

        // Operations: a queued one is listed and cancelled from the page.
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        let (_, queued) = try await server.http(
            "POST", "/api/v1/endpoints/dash-2/operations", body: Data(#"{"kind":"read","path":"/3/0/0","notBefore":"\#(later)"}"#.utf8))
        let operationID = try #require((try JSONSerialization.jsonObject(with: queued) as? [String: Any])?["id"] as? Int)
        try await browse(server) { browser in
            try browser.navigate(base + "#token=\(token)")
            try browser.navigate(base + "#/operations")
            try browser.waitFor("document.querySelector('tr[data-operation=\"\(operationID)\"]')", what: "the queued operation")
            try browser.screenshot(to: shots.appendingPathComponent("operations.png"))
            _ = try browser.evaluate("document.querySelector('tr[data-operation=\"\(operationID)\"] button.danger').click(); true")
            try browser.waitFor("document.body.innerText.includes('Operation \(operationID) cancelled')", what: "the cancel")
        }
        let (_, cancelled) = try await server.http("GET", "/api/v1/operations/\(operationID)")
        #expect((try JSONSerialization.jsonObject(with: cancelled) as? [String: Any])?["status"] as? String == "cancelled")

        // Firmware: an image and a campaign over the three devices; its page shows progress.
        // The simulator installs a package that starts with its version line as that version.
        let package = Data("LWM2M-SIM-FW 2.0\n".utf8) + Data(repeating: 9, count: 4096)
        let imageID = try await FirmwareUpdateEndToEndTests.upload(package, version: "2.0", to: server)
        // The campaign is started from the page's form, with waves and a failure brake.
        let campaignID = try await browse(server) { browser -> Int in
            try browser.navigate(base + "#token=\(token)")
            try browser.navigate(base + "#/firmware")
            try browser.waitFor("document.querySelectorAll('#images-table tbody tr').length === 1", what: "the image listed")
            _ = try browser.evaluate("""
                (() => {
                  const form = document.getElementById('c-pattern').form;
                  form.elements.firmwareId.value = '\(imageID)'; form.elements.pattern.value = 'dash-*';
                  form.elements.method.value = 'push'; form.elements.waves.value = '50, 100';
                  form.elements.failureThreshold.value = '100'; form.requestSubmit(); return true
                })()
                """)
            try browser.waitFor("location.hash.startsWith('#/campaign/')", what: "the new campaign's page")
            return Int(try browser.evaluate("location.hash.split('/')[2]") as? String ?? "") ?? 0
        }
        let (campaignStatus, campaignBody) = try await server.http("GET", "/api/v1/campaigns/\(campaignID)")
        #expect(campaignStatus == 200, "\(String(decoding: campaignBody, as: UTF8.self))")
        let started = try #require(try JSONSerialization.jsonObject(with: campaignBody) as? [String: Any])
        #expect(started["method"] as? String == "push")
        #expect((started["waves"] as? [Double]) == [0.5, 1.0])
        #expect(started["failureThreshold"] as? Double == 1.0)
        try await browse(server) { browser in
            try browser.navigate(base + "#token=\(token)")
            try browser.navigate(base + "#/firmware")
            try browser.waitFor("document.querySelector('#campaigns-table a[href=\"#/campaign/\(campaignID)\"]')", what: "the campaign listed")
            try browser.waitFor("document.querySelectorAll('#images-table tbody tr').length === 1", what: "the image listed")
            try browser.screenshot(to: shots.appendingPathComponent("firmware.png"))
            try browser.navigate(base + "#/campaign/\(campaignID)")
            try browser.waitFor("document.querySelectorAll('#campaign-devices tbody tr').length === 3", what: "the campaign's devices")
            try browser.waitFor("document.getElementById('campaign-progress')", what: "the progress bar")
            // The page follows the campaign to its end without a reload.
            try browser.waitFor("document.querySelector('[data-state=succeeded] strong')?.textContent === '3'", timeout: 90,
                                what: "three devices updated")
            try browser.screenshot(to: shots.appendingPathComponent("campaign.png"))
        }
    }

    @Test func withoutAuthenticationTheDashboardOpensWithoutTheForm() async throws {
        let server = ServerProcess()
        try await server.start(extraArguments: ["--no-auth"])
        defer { Task { await server.stop() } }
        let port = server.httpPort
        try await browse(server) { browser in
            try browser.navigate("http://127.0.0.1:\(port)/")
            try browser.waitFor("document.getElementById('fleet-table')", what: "the fleet without signing in")
            #expect(try browser.evaluate("document.getElementById('sign-in-form') === null") as? Bool == true)
        }
    }
}
