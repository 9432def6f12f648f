// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "kmsim",
    products: [
        .library(name: "KMSim", targets: ["KMSim"]),
        .executable(name: "kmsim", targets: ["kmsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CNuma",
            pkgConfig: "numa",
            providers: [.apt(["libnuma-dev"])]
        ),
        .target(
            name: "CKMSimShims",
            path: "Sources/CKMSimShims"
        ),
        .target(
            name: "KMSim",
            dependencies: [
                "CNuma",
                "CKMSimShims",
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "kmsim",
            dependencies: [
                "KMSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "KMSimTests",
            dependencies: ["KMSim"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
