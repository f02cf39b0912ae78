// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "lwm2m-server",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lwm2m-server", targets: ["lwm2m-server"]),
        .executable(name: "lwm2m-sim", targets: ["lwm2m-sim"]),
        .executable(name: "lwm2m-bench", targets: ["lwm2m-bench"]),
        .library(name: "CoAP", targets: ["CoAP"]),
        .library(name: "LwM2M", targets: ["LwM2M"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.0.0"),
    ],
    targets: [
        // libcoap 3 (Debian build with GnuTLS). Only the CoAP module imports it.
        .systemLibrary(
            name: "CLibCoAP",
            path: "Sources/CLibCoAP",
            pkgConfig: "libcoap-3-gnutls",
            providers: [.apt(["libcoap3-dev"])]
        ),
        .target(
            name: "CoAP",
            dependencies: [
                "CLibCoAP",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "LwM2M",
            dependencies: [
                "CoAP",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ResourceModel",
            dependencies: [
                "LwM2M",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Firmware updates (issue P7): images, the FirmwareUpdate and Campaign state machines, delivery.
        .target(
            name: "FirmwareOTA",
            dependencies: [
                "ResourceModel",
                "LwM2M",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "RESTBridge",
            dependencies: [
                "FirmwareOTA",
                "ResourceModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The fuzz targets (decoders of untrusted input) and their libFuzzer driver (`make fuzz`).
        .target(name: "FuzzTargets", dependencies: ["LwM2M", "RESTBridge"]),
        .executableTarget(name: "lwm2m-fuzz", dependencies: ["FuzzTargets"]),
        // The composition root: `buildServer` assembles the whole server from a `ServerConfiguration`.
        .target(
            name: "ServerApp",
            dependencies: [
                "FirmwareOTA",
                "RESTBridge",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "lwm2m-server",
            dependencies: [
                "ServerApp",
                "RESTBridge",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "lwm2m-sim",
            dependencies: [
                "CoAP",
                "LwM2M",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Load generator for the benchmark (scripts/bench.sh); not part of the test suite.
        .executableTarget(
            name: "lwm2m-bench",
            dependencies: [
                "CoAP",
                "LwM2M",
                "ResourceModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "CoAPTests", dependencies: ["CoAP"]),
        .testTarget(name: "ServerAppTests", dependencies: ["ServerApp", "CoAP", "LwM2M", "ResourceModel"]),
        .testTarget(name: "LwM2MTests", dependencies: ["LwM2M"]),
        .testTarget(name: "ResourceModelTests", dependencies: ["ResourceModel"]),
        .testTarget(
            name: "FirmwareOTATests",
            dependencies: ["FirmwareOTA", "ResourceModel", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "FuzzTargetsTests",
            dependencies: ["FuzzTargets"]
        ),
        .testTarget(
            name: "RESTBridgeTests",
            dependencies: [
                "RESTBridge",
                "FirmwareOTA",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // Reads docs/openapi.yaml in QueryParameterTableTests (tests only).
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "CoAP", "LwM2M", "ServerApp", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
    ]
)
