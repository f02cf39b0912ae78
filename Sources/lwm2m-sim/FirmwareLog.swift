import Foundation

/// `--fw-log FILE`: one JSON line per firmware package a device received, written (and on disk) as soon as the
/// whole package is there, for comparing with the upload:
/// `{"endpoint":"sim-1","method":"http-pull","uri":"http://…","size":1048576,"sha256":"…","version":"2.0.0",`
/// `"resumedAt":300000,"at":1767225600.123}` — `method` is `coap-pull`, `coaps-pull`, `http-pull` or `push`
/// (`uri` null), `resumedAt` the byte offset a broken download resumed from (0: it did not), `at` Unix seconds.
/// At start, one line per device chosen to fail (`--fw-fail`): `{"event":"fault","endpoint":"sim-3","kind":"integrity"}`.
final class FirmwareLog: Sendable {
    private let file: AppendOnlyFile

    /// Opens (creating when missing) `path` for appending.
    init(path: String) throws {
        file = try AppendOnlyFile(path: path, flag: "--fw-log")
    }

    /// Logs a package received whole.
    func received(
        endpoint: String, method: FirmwareDownloadMethod, uri: String?, package: FirmwarePackage, resumedAt: Int,
        at date: Date
    ) {
        var line = #"{"endpoint":\#(ReportLog.string(endpoint)),"method":"\#(method.rawValue)","#
        line += #""uri":\#(uri.map(ReportLog.string) ?? "null"),"size":\#(package.size),"#
        line += #""sha256":"\#(package.sha256)","version":\#(ReportLog.string(package.version)),"#
        line += #""resumedAt":\#(resumedAt),"at":\#(Self.seconds(date))}"#
        file.append(line + "\n")
    }

    /// Logs a device chosen to fail.
    func fault(endpoint: String, kind: FirmwareFault) {
        file.append(#"{"event":"fault","endpoint":\#(ReportLog.string(endpoint)),"kind":"\#(kind.rawValue)"}"# + "\n")
    }

    /// Unix seconds with milliseconds.
    private static func seconds(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let fraction = String(abs(millis % 1000))
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

/// How a package reached the device, as `--fw-log` names it.
enum FirmwareDownloadMethod: String, Sendable {
    case coapPull = "coap-pull"
    case coapsPull = "coaps-pull"
    case httpPull = "http-pull"
    case push
}
