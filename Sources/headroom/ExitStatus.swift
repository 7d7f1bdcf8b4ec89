import ArgumentParser
import HeadroomModel
import HeadroomOutput
import HeadroomStudy

/// Exit statuses (sysexits.h), as docs/cli.md promises them.
enum ExitStatus {
    /// `run --slo`: some SLO fails at its confidence bound; `plan`: no configuration passes;
    /// `breakpoint`: no load tried meets the SLOs.
    static let sloFailed: Int32 = 1
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let software: Int32 = 70
    static let cannotCreate: Int32 = 73
    /// Ctrl-C (128 + SIGINT), after printing what had finished.
    static let interrupted: Int32 = 130
}

/// A failure the command line reports: the message it prints and the exit status it ends with.
/// Every error of ours that reaches `main` conforms, so the mapping from failures to exit
/// statuses is this one file, read in one place (`Headroom.main`), as k6's errors carry their
/// exit code (`errext.HasExitCode`).
protocol CommandFailure: Error {
    var exitStatus: Int32 { get }
    /// The whole diagnostic as printed on standard error.
    var printedMessage: String { get }
}

/// A usage problem found only once the model is loaded (e.g. `--horizon` shorter than its warm-up,
/// a run over the work budget): exit 64.
struct UsageFailure: CommandFailure {
    var message: String
    var exitStatus: Int32 { ExitStatus.usage }
    var printedMessage: String { "error: \(message)" }
}

/// A calibration input that is wrong (file:line:column in the message): exit 65 like a bad model.
struct InputFailure: CommandFailure {
    var message: String
    var exitStatus: Int32 { ExitStatus.dataError }
    var printedMessage: String { "error: \(message)" }
}

/// Every problem of a model file, each as `file:line:column: error: ...`: exit 65.
extension ModelErrors: CommandFailure {
    var exitStatus: Int32 { ExitStatus.dataError }
    var printedMessage: String { description }
}

/// An output file that cannot be written (whole or not at all): exit 73.
extension OutputFileError: CommandFailure {
    var exitStatus: Int32 { ExitStatus.cannotCreate }
    var printedMessage: String { "error: \(message)" }
}

/// A study's own problem: a bad axis or SLO (64), inconsistent sweep files (65), an output
/// directory that cannot be written (73).
extension SweepError: CommandFailure {
    var exitStatus: Int32 {
        switch kind {
        case .usage: ExitStatus.usage
        case .data: ExitStatus.dataError
        case .output: ExitStatus.cannotCreate
        }
    }
    var printedMessage: String { "error: \(message)" }
}

/// A sweep cell whose model does not check: exit 65.
extension SweepCellError: CommandFailure {
    var exitStatus: Int32 { ExitStatus.dataError }
    var printedMessage: String { description }
}
