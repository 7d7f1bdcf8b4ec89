import CGSL
import HeadroomKernel
import Testing

/// The ziggurat fast path draws the exponential law (it replaces `-log1p(-u)` in the hot loop).
struct ExponentialZigguratTests {
    static let draws = 200_000

    @Test(arguments: [1 as UInt64, 2, 3])
    func zigguratDrawsPassKolmogorovSmirnovAgainstGSLsExponentialCDF(seed: UInt64) {
        let stream = RandomStream(seed: seed)
        var x = (0..<Self.draws).map { _ in ExponentialZiggurat.standard(stream.handle) }
        x.sort()
        var d = 0.0
        for (i, value) in x.enumerated() {
            let cdf = gsl_cdf_exponential_P(value, 1)
            d = max(d, abs(Double(i + 1) / Double(x.count) - cdf), abs(cdf - Double(i) / Double(x.count)))
        }
        // Critical value of the KS statistic at alpha = 0.001: 1.949 / sqrt(n).
        #expect(d < 1.949 / Double(Self.draws).squareRoot(), "D = \(d)")
    }

    @Test func zigguratMeanAndVarianceAreOneWithinFourStandardErrors() {
        let stream = RandomStream(seed: 9)
        var summary = SummaryStatistics()
        for _ in 0..<Self.draws { summary.record(ExponentialZiggurat.standard(stream.handle)) }
        let n = Double(Self.draws)
        // Var of the sample mean = 1/n; Var of the sample variance of Exp(1) = (mu4 - 1)/n = 8/n.
        #expect(abs(summary.mean - 1) < 4 / n.squareRoot())
        #expect(abs(summary.variance - 1) < 4 * (8 / n).squareRoot())
    }

    @Test func theTailBeyondTheLastLayerIsReached() {
        // P(X > 7.697) = e^-7.697 ~ 4.5e-4: in 200k draws about 90 land in the tail strip.
        let stream = RandomStream(seed: 4)
        var tail = 0
        for _ in 0..<Self.draws where ExponentialZiggurat.standard(stream.handle) > 7.697117470131487 { tail += 1 }
        let expected = Double(Self.draws) * exp(-7.697117470131487)
        #expect(abs(Double(tail) - expected) < 4 * expected.squareRoot(), "\(tail) vs \(expected)")
    }
}

#if canImport(Glibc)
import Glibc
#endif
