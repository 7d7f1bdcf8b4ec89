import CGSL
import HeadroomKernel
import Testing

@Suite("Output analysis: confidence intervals, warm-up, batch means, precision")
struct EstimationTests {
    @Test("Student-t half-width of 1...10 at 95% is t(0.975, 9) s / sqrt(10), t = 2.262157...")
    func studentTByHand() {
        let e = Estimate.studentT((1...10).map(Double.init))
        let s = (82.5 / 9.0).squareRoot()                       // sum (x - 5.5)^2 = 82.5
        let byHand = 2.262157162798205 * s / 10.0.squareRoot()  // = 2.16585058966...
        #expect(e.mean == 5.5)
        #expect(e.samples == 10)
        #expect(abs(e.halfWidth - byHand) <= 1e-9 * byHand)
        #expect(abs(e.lower - (5.5 - byHand)) <= 1e-9 && abs(e.upper - (5.5 + byHand)) <= 1e-9)
    }

    @Test("at 99.9% the quantile is t(0.9995, 9) = 4.780912...")
    func studentTAt999() {
        let e = Estimate.studentT((1...10).map(Double.init), confidence: 0.999)
        let byHand = 4.780912585931217 * (82.5 / 9.0).squareRoot() / 10.0.squareRoot()
        #expect(abs(e.halfWidth - byHand) <= 1e-9 * byHand)
    }

    @Test("fewer than two samples give a zero-width interval; contains() is inclusive")
    func degenerateIntervals() {
        #expect(Estimate.studentT([3]).halfWidth == 0)
        #expect(Estimate.studentT([3]).mean == 3)
        #expect(Estimate.studentT([]).samples == 0)
        let e = Estimate(mean: 1, halfWidth: 0.5, samples: 4)
        #expect(e.contains(0.5) && e.contains(1.5) && !e.contains(1.5000001))
        #expect(e.relativeHalfWidth == 0.5)
        #expect(Estimate(mean: 0, halfWidth: 1, samples: 2).relativeHalfWidth == .infinity)
    }

    static func noise(seed: UInt64, count: Int) -> [Double] {
        let stream = RandomStream(masterSeed: seed, name: "estimation-noise")
        return (0..<count).map { _ in gsl_ran_gaussian(stream.generator, 1) }
    }

    @Test("MSER-5 finds a planted initial transient: 200 of 2000 observations offset by +6", arguments: [1, 2, 3] as [UInt64])
    func mser5FindsTransient(seed: UInt64) {
        var series = Self.noise(seed: seed, count: 2_000)
        for i in 0..<200 { series[i] += 6 }
        let d = WarmupDetection.mser5(series)
        #expect(d % 5 == 0)
        // It must delete the whole transient (a biased batch left in would dominate the
        // marginal standard error) and not much more: at most a dozen batches past it.
        #expect((200...260).contains(d), "truncation \(d), planted transient ends at 200")
    }

    @Test("MSER-5 finds a transient that decays: 10 e^{-i/50} on top of noise")
    func mser5DecayingTransient() {
        var series = Self.noise(seed: 4, count: 4_000)
        for i in series.indices { series[i] += 10 * Double.exp(-Double(i) / 50) }
        let d = WarmupDetection.mser5(series)
        // The bias falls below the noise's batch standard error (1/sqrt(5) ~ 0.45) near i = 150.
        // Window: an independent MSER-5 (numpy) on 20 000 series of this shape with other
        // Gaussian noise truncated at 150 (median) and within 105...300 in 99.9% of them (0.05%
        // quantile 105, 99.95% quantile 300; extremes 95 and 340). Reporting batches instead of
        // observations (30) or searching past half the series would fall outside.
        #expect(d % 5 == 0)
        #expect((105...300).contains(d), "truncation \(d)")
    }

    @Test("MSER-5 on too short a series deletes nothing")
    func mser5TooShort() {
        #expect(WarmupDetection.mser5([5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) == 0)
    }

    @Test("batch means is the Student-t interval over the k batch means (trailing remainder dropped)")
    func batchMeansByHand() {
        let series = (1...103).map(Double.init)   // 3 left over for k = 10
        let e = BatchMeans.estimate(series, batches: 10)
        let batchMeans = stride(from: 5.5, through: 95.5, by: 10).map { $0 }
        let expected = Estimate.studentT(batchMeans)
        #expect(e.samples == 10)
        #expect(e.mean == 50.5)
        #expect(abs(e.halfWidth - expected.halfWidth) <= 1e-12 * expected.halfWidth)
        // By hand: batch means 10 apart, s = 10 sqrt(82.5 / 9), t(0.975, 9) = 2.262157...
        #expect(abs(e.halfWidth - 21.65850589668169) <= 1e-8)
    }

    @Test("batch means widens the interval of an autocorrelated series and covers its mean")
    func batchMeansAutocorrelated() {
        // AR(1), phi = 0.9, mean 0: the variance of the mean is (1 + phi) / (1 - phi) = 19 times
        // the i.i.d. figure, so a naive interval is ~sqrt(19) = 4.4 times too narrow.
        let shocks = Self.noise(seed: 5, count: 200_000)
        var series = [Double](repeating: 0, count: shocks.count)
        var x = 0.0
        for i in shocks.indices {
            x = 0.9 * x + shocks[i]
            series[i] = x
        }
        let batched = BatchMeans.estimate(series, batches: 20, confidence: 0.99)
        let naive = Estimate.studentT(series, confidence: 0.99)
        #expect(batched.contains(0))
        #expect(batched.halfWidth > 3 * naive.halfWidth)
    }

    @Test("precision rule: satisfied only when every figure is within the target relative half-width")
    func precisionRule() {
        let rule = PrecisionRule(targetRelativeError: 0.02, minimum: 5, maximum: 50)
        let tight = [100.0, 100.5, 99.5, 100.2, 99.8]   // relative half-width ~0.5%
        let loose = [100.0, 110, 90, 105, 95]            // ~10%
        let zeros = [0.0, 0, 0, 0, 0]                    // identically zero: precise
        #expect(rule.isSatisfied(by: [tight]))
        #expect(rule.isSatisfied(by: [tight, zeros]))
        #expect(!rule.isSatisfied(by: [tight, loose]))
        #expect(!rule.isSatisfied(by: [Array(tight.prefix(4))]), "fewer replications than the minimum")
    }

    @Test("precision rule keeps at least two replications and a maximum no smaller than the minimum")
    func precisionRuleBounds() {
        let rule = PrecisionRule(targetRelativeError: 0.05, minimum: 0, maximum: 1)
        #expect(rule.minimum == 2)
        #expect(rule.maximum == 2)
    }

    @Test("summary statistics: mean and unbiased variance, stable far from zero, and merge = one pass")
    func summaryStatistics() {
        let values = (0..<1_000).map { 1e9 + Double($0 % 7) * 0.25 }
        var all = SummaryStatistics(), first = SummaryStatistics(), second = SummaryStatistics()
        for (i, v) in values.enumerated() {
            all.record(v)
            if i < 400 { first.record(v) } else { second.record(v) }
        }
        let mean = values.reduce(0, +) / 1_000
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 999
        #expect(abs(all.mean - mean) <= 1e-6)
        #expect(abs(all.variance - variance) <= 1e-9 * variance)
        first.merge(second)
        #expect(first.count == all.count)
        #expect(abs(first.mean - all.mean) <= 1e-6)
        #expect(abs(first.variance - all.variance) <= 1e-9 * variance)
        #expect(first.minimum == 1e9 && first.maximum == 1e9 + 1.5)
    }

    @Test("time-weighted average integrates a step function; restart forgets the past but keeps the value")
    func timeWeightedAverage() {
        var busy = TimeWeightedAverage()
        busy.update(to: 2, atSeconds: 1)   // 0 on [0, 1)
        busy.update(to: 1, atSeconds: 3)   // 2 on [1, 3)
        #expect(busy.mean(atSeconds: 5) == (0 + 4 + 2) / 5.0)
        #expect(busy.peak == 2)
        busy.restart(atSeconds: 5)
        #expect(busy.mean(atSeconds: 9) == 1)
        #expect(busy.peak == 1)
    }

    @Test("latency recorder: exact mean and max, percentiles within 0.1%")
    func latencyRecorder() {
        var recorder = LatencyRecorder()
        for ms in 1...10_000 { recorder.record(seconds: Double(ms) / 1_000) }
        #expect(recorder.count == 10_000)
        #expect(abs(recorder.meanSeconds - 5.0005) <= 1e-9)
        #expect(recorder.maxSeconds == 10)
        for (p, expected) in [(50.0, 5.0), (95, 9.5), (99, 9.9), (99.9, 9.99)] {
            #expect(abs(recorder.percentileSeconds(p) - expected) <= 1e-3 * expected, "p\(p)")
        }
        #expect(abs(recorder.fractionAtOrBelow(seconds: 2.5) - 0.25) <= 1e-3)
    }
}
