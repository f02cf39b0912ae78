import Foundation
import Testing

/// The dashboard's accessibility in a real browser (issue P9: labels, keyboard use, contrast, a phone's width),
/// checked on every page with devices, an operation, an image and a campaign present:
/// - every control in Chromium's accessibility tree (`Accessibility.getFullAXTree`) has a name;
/// - every control can be reached with the keyboard (focusable, not taken out of the tab order);
/// - every visible text has a contrast of at least 4.5:1 against its background (3:1 for large text, WCAG 2.1 1.4.3);
/// - at 375 px (a phone, `Emulation.setDeviceMetricsOverride`) nothing makes the page scroll sideways.
@Suite(.serialized, .enabled(if: Chromium.isInstalled, "needs Debian's chromium (make test installs it)"))
struct DashboardAccessibilityTests {
    /// The contrast and keyboard checks, run in the page: a list of problems, empty when there are none.
    static let audit = """
        (() => {
          const problems = [];
          const rgba = (text) => { const m = text.match(/[\\d.]+/g) || []; return m.map(Number).concat([1]).slice(0, 4); };
          const luminance = ([r, g, b]) => { const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
          const background = (element) => {
            for (let e = element; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] > 0.5) return c; }
            return [255, 255, 255, 1];
          };
          const visible = (e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
            return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none" && !e.closest("[hidden]"); };
          for (const e of document.querySelectorAll("body *")) {
            if (!visible(e) || ["SCRIPT", "STYLE", "svg"].includes(e.tagName) || e.closest("svg")) continue;
            const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
            if (!own) continue;
            const s = getComputedStyle(e), fg = rgba(s.color), bg = background(e);
            const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
            const ratio = (l1 + 0.05) / (l2 + 0.05), size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
            const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
            if (e.disabled) continue;  // WCAG exempts inactive controls
            if (ratio < needed) problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: <${e.tagName.toLowerCase()} class="${e.className}"> "${e.textContent.trim().slice(0, 40)}"`);
          }
          for (const e of document.querySelectorAll("a[href], button, input, select, textarea, summary")) {
            if (!visible(e) || e.disabled || e.type === "hidden") continue;
            if (e.tabIndex < 0) problems.push(`not reachable by keyboard: <${e.tagName.toLowerCase()} id="${e.id}">`);
          }
          return JSON.stringify(problems);
        })()
        """

    /// Controls without a name in the browser's accessibility tree.
    static func unnamedControls(_ browser: Chromium) throws -> [String] {
        let tree = try browser.call("Accessibility.getFullAXTree")
        let nodes = tree["nodes"] as? [[String: Any]] ?? []
        let controls: Set = ["button", "textbox", "combobox", "checkbox", "link", "spinbutton", "searchbox", "slider", "listbox"]
        return nodes.compactMap { node -> String? in
            guard node["ignored"] as? Bool != true,
                  let role = (node["role"] as? [String: Any])?["value"] as? String, controls.contains(role)
            else { return nil }
            let name = ((node["name"] as? [String: Any])?["value"] as? String ?? "").trimmingCharacters(in: .whitespaces)
            return name.isEmpty ? "\(role) without a name (backend node \(node["backendDOMNodeId"] ?? "?"))" : nil
        }
    }

    @Test func everyPageHasNamedReachableLegibleControlsAndFitsAPhone() async throws {
        let server = ServerProcess()
        try await server.start()
        defer { Task { await server.stop() } }
        let sim = try ChildProcess(
            executable: Binaries.url("lwm2m-sim"),
            arguments: ["--server", server.coapURL, "--count", "2", "--prefix", "a11y-", "--lifetime", "120"],
            logURL: server.dataDir.appendingPathComponent("sim.log"))
        defer { Task { await sim.stop(signal: SIGKILL) } }
        try await server.eventually(timeout: .seconds(20), "two devices online") {
            try await server.endpoints().filter { $0["online"] as? Bool == true }.count == 2
        }
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        _ = try await server.http(
            "POST", "/api/v1/endpoints/a11y-1/operations", body: Data(#"{"kind":"read","path":"/3/0/0","notBefore":"\#(later)"}"#.utf8))
        let imageID = try await FirmwareUpdateEndToEndTests.upload(
            Data("LWM2M-SIM-FW 2.0\n".utf8) + Data(repeating: 1, count: 512), version: "2.0", to: server)
        let (_, campaign) = try await server.http(
            "POST", "/api/v1/campaigns", body: Data(#"{"firmwareId":\#(imageID),"pattern":"a11y-*","method":"push"}"#.utf8))
        let campaignID = try #require((try JSONSerialization.jsonObject(with: campaign) as? [String: Any])?["id"] as? Int)
        let base = "http://127.0.0.1:\(server.httpPort)/"
        let pages: [(String, String, String)] = [
            ("fleet", "#/", "document.querySelectorAll('#fleet-table tbody tr').length === 2"),
            ("endpoint", "#/endpoint/a11y-1", "document.querySelector('#object-tree [data-path=\"/3/0/0\"]')"),
            ("plot", "#/plot/a11y-1/3303/0/5700", "document.getElementById('chart')"),
            ("operations", "#/operations", "document.querySelector('tr[data-operation]')"),
            ("firmware", "#/firmware", "document.querySelectorAll('#images-table tbody tr').length === 1"),
            ("campaign", "#/campaign/\(campaignID)", "document.getElementById('campaign-progress')"),
        ]
        let token = ServerProcess.token
        let shots = DashboardEndToEndTests.screenshots
        let logURL = server.dataDir.appendingPathComponent("chromium-a11y.log")
        let findings = try await onOwnThread { () throws -> [String] in
            let browser = try Chromium(logURL: logURL)
            defer { browser.close() }
            _ = try browser.call("Accessibility.enable")
            var findings: [String] = []
            // The sign-in form first.
            try browser.navigate(base)
            try browser.waitFor("document.getElementById('sign-in-form')", what: "the sign-in form")
            findings += try Self.unnamedControls(browser).map { "sign-in: \($0)" }
            findings += try Self.problems(browser).map { "sign-in: \($0)" }
            // The sign-in link in the open tab: wait until it took the token (the page shows the fleet) before
            // the next navigation, or that one's hashchange can come first and find no token in the address.
            try browser.navigate(base + "#token=\(token)")
            try browser.waitFor("document.getElementById('fleet-table')", what: "signed in by the link")
            for (name, hash, ready) in pages {
                try browser.navigate(base + hash)
                try browser.waitFor(ready, what: "the \(name) page")
                findings += try Self.unnamedControls(browser).map { "\(name): \($0)" }
                findings += try Self.problems(browser).map { "\(name): \($0)" }
            }
            // A phone's width: the same pages, none wider than the screen.
            _ = try browser.call("Emulation.setDeviceMetricsOverride", ["width": 375, "height": 740, "deviceScaleFactor": 2, "mobile": true])
            for (name, hash, ready) in pages {
                try browser.navigate(base + hash)
                try browser.waitFor(ready, what: "the \(name) page at a phone's width")
                let overflow = try browser.evaluate("document.documentElement.scrollWidth - window.innerWidth") as? Double ?? 0
                if overflow > 1 { findings.append("\(name): \(Int(overflow)) px wider than a 375 px screen") }
                if name == "fleet" || name == "endpoint" {
                    try browser.screenshot(to: shots.appendingPathComponent("\(name)-phone.png"))
                }
            }
            return findings
        }
        #expect(findings.isEmpty, "\(findings.count) findings:\n\(findings.prefix(40).joined(separator: "\n"))")
    }

    static func problems(_ browser: Chromium) throws -> [String] {
        let text = try browser.evaluate(audit) as? String ?? "[]"
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] ?? []
    }
}
