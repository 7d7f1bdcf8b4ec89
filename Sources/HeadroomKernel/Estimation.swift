import CGSL

/// A point estimate with its 95% confidence interval.
public struct Estimate: Sendable, Hashable, Codable {
    public var mean: Double
    /// Half-width of the confidence interval (0 when fewer than two samples).
    public var halfWidth: Double
    /// Number of independent samples (replications or batches) behind it.
    public var samples: Int

    public init(mean: Double, halfWidth: Double, samples: Int) {
        self.mean = mean
        self.halfWidth = halfWidth
        self.samples = samples
    }

    public var lower: Double { mean - halfWidth }
    public var upper: Double { mean + halfWidth }
    /// halfWidth / |mean|; infinite for a zero mean with a non-zero half-width.
    public var relativeHalfWidth: Double {
        if halfWidth == 0 { return 0 }
        return mean == 0 ? .infinity : halfWidth / abs(mean)
    }
    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

    /// The quantile t(p, df) of Student's t distribution (GSL's `gsl_cdf_tdist_Pinv`): the k of a
    /// bound k * s that a t-distributed ratio exceeds with probability 1 - p.
    public static func studentTQuantile(_ probability: Double, degreesOfFreedom: Double) -> Double {
        GSLErrors.returnInsteadOfAborting()
        return gsl_cdf_tdist_Pinv(probability, degreesOfFreedom)
    }

    /// The Student-t confidence interval over independent, identically distributed samples:
    /// mean +- t(1 - alpha/2, n - 1) * s / sqrt(n), with t from GSL (`gsl_cdf_tdist_Pinv`).
    public static func studentT(_ samples: [Double], confidence: Double = 0.95) -> Estimate {
        var summary = SummaryStatistics()
        for x in samples { summary.record(x) }
        guard summary.count > 1 else {
            return Estimate(mean: summary.mean, halfWidth: 0, samples: summary.count)
        }
        let t = studentTQuantile(1 - (1 - confidence) / 2, degreesOfFreedom: Double(summary.count - 1))
        let half = t * summary.standardDeviation / Double(summary.count).squareRoot()
        return Estimate(mean: summary.mean, halfWidth: half, samples: summary.count)
    }
}

/// Warm-up detection by MSER-5 (White, 1997; Franklin & White, 2008).
///
/// The output series is averaged in batches of five; the truncation point d is the number of
/// leading batches whose deletion minimizes the marginal standard error
/// MSER(d) = sum_{i>d} (Y_i - mean_{>d})^2 / (n - d)^2, searched over the first half of the
/// series only (a minimum in the second half means the run is too short to tell).
public enum WarmupDetection {
    /// The number of leading *observations* to delete (a multiple of 5).
    public static func mser5(_ series: [Double]) -> Int {
        let batchSize = 5
        let batches = series.count / batchSize
        guard batches >= 4 else { return 0 }
        var means = [Double](repeating: 0, count: batches)
        for b in 0..<batches {
            var s = 0.0
            for i in 0..<batchSize { s += series[b * batchSize + i] }
            means[b] = s / Double(batchSize)
        }
        // Suffix sums make every MSER(d) O(1).
        var suffixSum = [Double](repeating: 0, count: batches + 1)
        var suffixSquares = [Double](repeating: 0, count: batches + 1)
        for b in stride(from: batches - 1, through: 0, by: -1) {
            suffixSum[b] = suffixSum[b + 1] + means[b]
            suffixSquares[b] = suffixSquares[b + 1] + means[b] * means[b]
        }
        var best = 0
        var bestValue = Double.infinity
        for d in 0...(batches / 2) {
            let m = Double(batches - d)
            let mean = suffixSum[d] / m
            let sse = max(0, suffixSquares[d] - m * mean * mean)
            let value = sse / (m * m)
            if value < bestValue {
                bestValue = value
                best = d
            }
        }
        return best * batchSize
    }
}

/// Batch means for one long run: the post-warm-up output series is split into k equal,
/// contiguous batches whose means are treated as approximately independent; the confidence
/// interval is Student-t over the batch means (k - 1 degrees of freedom). Use k of 10 to 30 and
/// batches much longer than the series' correlation time.
public enum BatchMeans {
    public static func estimate(_ series: [Double], batches k: Int = 20, confidence: Double = 0.95) -> Estimate {
        let perBatch = series.count / k
        guard k >= 2, perBatch >= 1 else { return Estimate.studentT(series, confidence: confidence) }
        var means: [Double] = []
        means.reserveCapacity(k)
        for b in 0..<k {
            var s = 0.0
            for i in 0..<perBatch { s += series[b * perBatch + i] }
            means.append(s / Double(perBatch))
        }
        return Estimate.studentT(means, confidence: confidence)
    }
}

/// Stopping on precision, as JMT does: keep adding independent replications until every
/// tracked figure's CI half-width is within `targetRelativeError` of its mean, or `maximum`
/// replications have run.
public struct PrecisionRule: Sendable, Hashable {
    public var targetRelativeError: Double
    public var minimum: Int
    public var maximum: Int

    public init(targetRelativeError: Double, minimum: Int = 5, maximum: Int = 100) {
        self.targetRelativeError = targetRelativeError
        self.minimum = max(2, minimum)
        self.maximum = max(self.minimum, maximum)
    }

    /// Whether `figures` (each a list of per-replication values) are all precise enough.
    /// A figure that is identically zero counts as precise.
    public func isSatisfied(by figures: [[Double]]) -> Bool {
        for values in figures {
            guard values.count >= minimum else { return false }
            let e = Estimate.studentT(values)
            if e.halfWidth == 0 { continue }
            if e.relativeHalfWidth > targetRelativeError { return false }
        }
        return true
    }
}
