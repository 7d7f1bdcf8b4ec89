// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Headroom",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "headroom", targets: ["headroom"]),
        .executable(name: "headroom-bench", targets: ["headroom-bench"]),
        .library(name: "HeadroomKernel", targets: ["HeadroomKernel"]),
        .library(name: "Queueing", targets: ["Queueing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
    ],
    targets: [
        // MARK: - Implementation details

        /// GSL, the GNU Scientific Library, through pkg-config. No stable Swift API: only
        /// HeadroomKernel (streams, distributions, estimation, fits) and HeadroomSim's samplers
        /// (`Sampling.swift`: counts and Walker alias tables) import it; Queueing does not.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),

        // MARK: - Public API

        /// Event calendar, clock, random streams, distributions, stations, statistics.
        /// Knows nothing of YAML or web backends.
        .target(
            name: "HeadroomKernel",
            dependencies: [
                "CGSL",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        /// Closed-form queueing results, MVA and operational laws. No simulation inside.
        .target(name: "Queueing", exclude: ["README.md"]),
        /// The YAML model: schema, units, decoding and validation with precise errors.
        .target(
            name: "HeadroomModel",
            // `Tree.swift` and `InputLimits.swift` also import CYaml, Yams' libyaml target, for the
            // parser's event stream (line, column, node counts before anything is built). SwiftPM
            // offers no product for it; it is reached through the Yams product, which depends on it.
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        /// Builds and runs a simulation of a web backend from a checked model.
        .target(
            name: "HeadroomSim",
            dependencies: ["HeadroomKernel", "HeadroomModel", "Queueing", "CGSL",
                           .product(name: "DequeModule", package: "swift-collections")]
        ),
        /// The presentation primitives every layer above shares: number, duration and rate
        /// formatting, aligned tables, CSV fields, an ordered JSON writer, atomic output files.
        /// Knows nothing of models, simulations or studies.
        .target(
            name: "HeadroomOutput",
            dependencies: ["HeadroomKernel"]
        ),
        /// The analytic answer for a checked model, with no simulation: per-request demands,
        /// bounds, Erlang C, M/M/c+D, MVA, the work estimate of a run.
        .target(
            name: "HeadroomAnalysis",
            dependencies: ["HeadroomModel", "Queueing", "HeadroomKernel", "HeadroomOutput"]
        ),
        /// Studies on the simulator: replications, sweeps, plans, breakpoints, SLO gates, claims
        /// verification, and the report they produce.
        .target(
            name: "HeadroomStudy",
            dependencies: ["HeadroomSim", "HeadroomModel", "HeadroomKernel", "Queueing",
                           "HeadroomAnalysis", "HeadroomOutput"]
        ),
        /// SVG charts and self-contained HTML pages drawn from studies' results.
        .target(
            name: "HeadroomCharts",
            dependencies: ["HeadroomStudy", "HeadroomAnalysis", "HeadroomOutput", "HeadroomSim",
                           "HeadroomModel", "HeadroomKernel"]
        ),
        /// Measurements in, calibrated models out: load-test results (k6, Artillery), pg_stat_statements,
        /// pool settings in their native spellings, Universal Scalability Law fits, predicted vs measured.
        .target(
            name: "HeadroomCalibration",
            dependencies: ["HeadroomStudy", "HeadroomSim", "HeadroomModel", "HeadroomKernel",
                           "HeadroomAnalysis", "HeadroomOutput", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "headroom",
            dependencies: [
                "HeadroomStudy", "HeadroomModel", "HeadroomCalibration", "HeadroomAnalysis",
                "HeadroomOutput", "HeadroomCharts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "headroom-bench",
            dependencies: ["HeadroomKernel", "Queueing"]
        ),

        // MARK: - Tests

        .testTarget(name: "HeadroomKernelTests", dependencies: [
            "HeadroomKernel", "Queueing", .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .testTarget(name: "QueueingTests", dependencies: ["Queueing"]),
        .testTarget(name: "HeadroomModelTests", dependencies: ["HeadroomModel"]),
        .testTarget(name: "HeadroomSimTests", dependencies: ["HeadroomSim", "HeadroomModel", "Queueing"]),
        .testTarget(name: "HeadroomStudyTests", dependencies: [
            "HeadroomStudy", "HeadroomCalibration", "HeadroomAnalysis", "HeadroomOutput", "HeadroomCharts",
        ]),
        .testTarget(name: "HeadroomCalibrationTests", dependencies: [
            "HeadroomCalibration", "HeadroomModel", "HeadroomKernel", "HeadroomAnalysis", "HeadroomOutput",
            "HeadroomCharts", "HeadroomStudy",
        ]),
    ]
)
