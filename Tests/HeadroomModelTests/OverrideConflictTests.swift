import Testing
@testable import HeadroomModel

/// Overrides that would silently undo one another are errors naming both keys.
@Suite struct OverrideConflicts {
    let open = """
    workload:
      open: {rate: 100/s}
    endpoints:
      e: {steps: [{cpu: 10ms}]}
    """
    let phased = """
    workload:
      open:
        phases:
          - {duration: 1min, rate: 10/s}
          - {duration: 1min, rate: 50/s}
    endpoints:
      e: {steps: [{cpu: 10ms}]}
    """

    /// Before: `rate` was applied first, then `workload.open` replaced it, and a sweep over
    /// `rate` gave identical cells without a word.
    @Test func aParentReplacingItsChildIsAnError() {
        let e = errors(open, overrides: ["workload.open": "{rate: 600/s}", "rate": "300/s"])
        #expect(e.count == 1)
        #expect(e.first?.contains("`rate` sets `workload.open.rate`") == true)
        #expect(e.first?.contains("`workload.open` replaces as a whole") == true)
    }

    @Test func rateOnAPhasedLoadIsAnErrorNamingPhases() {
        let e = errors(phased, overrides: ["rate": "300/s"])
        #expect(e.count == 1)
        #expect(e.first?.contains("`rate` sets `workload.open.rate`") == true)
        #expect(e.first?.contains("`workload.open.phases` (test.yaml:3)") == true)
        // A phase's own rate is fine.
        #expect(load(phased, overrides: ["workload.open.phases.1.rate": "80/s"]) != nil)
    }

    @Test func twoExclusiveOverridesAreAnError() {
        let e = errors(open, overrides: ["workload.open.constant_rate": "50/s", "rate": "60/s"])
        #expect(e.count == 1)
        #expect(e.first?.contains("`rate` sets `workload.open.rate`") == true)
        #expect(e.first?.contains("`workload.open.constant_rate` sets `workload.open.constant_rate`") == true)
    }

    @Test func usersOnAnOpenLoadNamesTheOpenWorkload() {
        let e = errors(open, overrides: ["users": "300"])
        #expect(e.first?.contains("`users` sets `workload.closed.users`, but the model's `workload` is given by `workload.open`") == true)
    }

    @Test func replacingTheWholeLoadIsFine() {
        #expect(load(phased, overrides: ["workload.open": "{rate: 600/s}"])?.model.workload?.arrivals == .open(.rate(perSecond: 600), process: .poisson))
    }
}
