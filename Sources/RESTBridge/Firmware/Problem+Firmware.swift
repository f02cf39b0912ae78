import FirmwareOTA
import Hummingbird
import ResourceModel

extension Problem {
    /// 404 for an unknown firmware id.
    static func firmwareNotFound(_ id: String) -> Problem {
        Problem(
            type: typeBase + "firmware-not-found", title: "Firmware not found", status: .notFound,
            detail: "No firmware image has the id '\(id)'.")
    }

    /// 409: the name and version belong to an image with other content.
    static func firmwareVersionTaken(_ existing: FirmwareImage) -> Problem {
        Problem(
            type: typeBase + "firmware-version-taken", title: "Firmware version taken", status: .conflict,
            detail: "'\(existing.name)' version '\(existing.version)' is image \(existing.id) with SHA-256 "
                + "\(existing.sha256); upload other content under another version. Nothing was stored.")
    }

    /// 409: firmware updates refer to the image.
    static func firmwareInUse(id: Int64, updates: Int, campaigns: Int) -> Problem {
        Problem(
            type: typeBase + "firmware-in-use", title: "Firmware in use", status: .conflict,
            detail: "Firmware \(id) is used by \(updates) firmware update(s) and \(campaigns) campaign(s); it stays.")
    }

    /// 400 for an empty upload, 413 for one over the limit, 500 for a file that could not be written.
    static func firmwareUpload(_ error: FirmwareUploadError) -> Problem {
        switch error {
        case .empty:
            Problem(
                type: typeBase + "firmware-empty", title: "Empty firmware image", status: .badRequest,
                detail: "The request body is the image and must not be empty. Nothing was stored.")
        case .tooLarge(let limit):
            Problem(
                type: typeBase + "firmware-too-large", title: "Firmware image too large", status: .contentTooLarge,
                detail: "Images may have at most \(limit) bytes (--max-firmware-size). Nothing was stored.")
        case .io:
            Problem(
                type: typeBase + "firmware-not-stored", title: "Firmware not stored", status: .internalServerError,
                detail: "The image could not be written to the data directory. Nothing was stored.")
        }
    }

    /// 416 for a Range outside the image.
    static func rangeNotSatisfiable(size: Int64) -> Problem {
        Problem(
            type: typeBase + "range-not-satisfiable", title: "Range not satisfiable", status: .rangeNotSatisfiable,
            detail: "The image has \(size) bytes.", headers: [.contentRange: "bytes */\(size)"])
    }
}
