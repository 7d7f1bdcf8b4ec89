/// Count, mean, variance (Welford's online update, numerically stable), minimum and maximum of
/// a stream of observations, in constant memory.
public struct SummaryStatistics: Sendable {
    @inlinable public var count: Int { n }
    @usableFromInline var n: Int = 0
    @usableFromInline var runningMean: Double = 0
    @usableFromInline var m2: Double = 0
    @usableFromInline var lowest: Double = .infinity
    @usableFromInline var highest: Double = -.infinity
    public var minimum: Double { lowest }
    public var maximum: Double { highest }

    public init() {}

    @inlinable
    public mutating func record(_ x: Double) {
        n += 1
        let delta = x - runningMean
        runningMean += delta / Double(n)
        m2 += delta * (x - runningMean)
        if x < lowest { lowest = x }
        if x > highest { highest = x }
    }

    /// The sample mean (0 when empty).
    public var mean: Double { runningMean }
    /// The unbiased sample variance (0 with fewer than two observations).
    public var variance: Double { count > 1 ? m2 / Double(count - 1) : 0 }
    public var standardDeviation: Double { variance.squareRoot() }

    /// Combines two summaries (Chan et al.'s parallel update).
    public mutating func merge(_ other: SummaryStatistics) {
        guard other.count > 0 else { return }
        guard count > 0 else { self = other; return }
        let total = Double(n + other.n)
        let delta = other.runningMean - runningMean
        m2 += other.m2 + delta * delta * Double(n) * Double(other.n) / total
        runningMean += delta * Double(other.n) / total
        n += other.n
        lowest = min(lowest, other.lowest)
        highest = max(highest, other.highest)
    }
}
