import Testing
import HeadroomModel

/// Found by the fuzzer (seed 2026, mutants 2552 and 2953): a pg_stat_statements header name of
/// 7.5 MB made the "did you mean" search fill a 14 x 7.5-million table (1 GB). A candidate whose
/// length alone rules it out is not measured.
@Suite struct SuggestLength {
    @Test func aCandidateTooFarInLengthIsNotSuggested() {
        #expect(Suggest.closest(String(repeating: "9", count: 2_000_000), in: ["mean_exec_time", "calls"]) == nil)
        #expect(Suggest.closest("mean_exec_time", in: [String(repeating: "x", count: 2_000_000), "mean_exec_tim"]) == "mean_exec_tim")
    }

    @Test func typosAreStillFound() {
        #expect(Suggest.closest("mean_exce_time", in: ["calls", "mean_exec_time", "min_exec_time"]) == "mean_exec_time")
        #expect(Suggest.closest("srevers", in: ["servers", "service"]) == "servers")
    }
}
