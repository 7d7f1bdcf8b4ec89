import CGSL

/// GSL's default error handler prints a message and aborts the process (`gsl: gamma_inc.c:181:
/// ERROR: error in large x asymptotic`, then SIGABRT): a fitted gamma with a shape of 1e30, say,
/// from a fuzzed pg_stat_statements export. Headroom turns it off before its first GSL call, so
/// a GSL function that fails returns its error value (NaN for the natural forms, a status for the
/// `_e` forms), which every call site checks.
public enum GSLErrors {
    private static let handlerOff: Void = { _ = gsl_set_error_handler_off() }()

    /// Turns GSL's aborting handler off (once per process; cheap after the first call).
    @inline(__always)
    public static func returnInsteadOfAborting() { handlerOff }
}
