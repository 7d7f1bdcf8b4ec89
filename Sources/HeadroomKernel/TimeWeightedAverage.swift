/// The time average of a piecewise-constant quantity (busy servers, queue length, connections
/// in use): the integral of the value over time divided by the elapsed time, plus its peak.
///
/// Warm-up deletion restarts the integral (``restart(atSeconds:)``) while keeping the current
/// value, so the statistic covers only the steady-state window.
public struct TimeWeightedAverage: Sendable, BitwiseCopyable {
    /// The current value.
    @inlinable public var value: Double { current }
    @usableFromInline var current: Double
    @usableFromInline var lastChangeSeconds: Double
    @usableFromInline var startSeconds: Double
    @usableFromInline var area: Double = 0
    /// The largest value seen since the last restart.
    @inlinable public var peak: Double { peakValue }
    @usableFromInline var peakValue: Double

    public init(initialValue: Double = 0, atSeconds start: Double = 0) {
        current = initialValue
        lastChangeSeconds = start
        startSeconds = start
        peakValue = initialValue
    }

    /// Records that the quantity changes to `newValue` at `nowSeconds`.
    @inlinable
    public mutating func update(to newValue: Double, atSeconds nowSeconds: Double) {
        area += value * (nowSeconds - lastChangeSeconds)
        lastChangeSeconds = nowSeconds
        current = newValue
        if newValue > peakValue { peakValue = newValue }
    }

    /// Adds `delta` to the quantity at `nowSeconds`.
    @inlinable
    public mutating func add(_ delta: Double, atSeconds nowSeconds: Double) {
        update(to: value + delta, atSeconds: nowSeconds)
    }

    /// Forgets the history before `nowSeconds` (warm-up deletion); keeps the current value.
    public mutating func restart(atSeconds nowSeconds: Double) {
        area = 0
        lastChangeSeconds = nowSeconds
        startSeconds = nowSeconds
        peakValue = current
    }

    /// The time average from the last restart up to `nowSeconds`.
    public func mean(atSeconds nowSeconds: Double) -> Double {
        let elapsed = nowSeconds - startSeconds
        guard elapsed > 0 else { return value }
        return (area + value * (nowSeconds - lastChangeSeconds)) / elapsed
    }

    /// The integral of the value from the last restart up to `nowSeconds`.
    public func integral(atSeconds nowSeconds: Double) -> Double {
        area + value * (nowSeconds - lastChangeSeconds)
    }
}
