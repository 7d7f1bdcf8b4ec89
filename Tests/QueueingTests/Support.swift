import Foundation

/// `|actual - expected| <= relative * max(|expected|, tiny)`.
func isClose(_ actual: Double, _ expected: Double, relative: Double = 1e-9) -> Bool {
    abs(actual - expected) <= relative * max(abs(expected), 1e-300)
}

/// `|actual - expected| <= absolute`.
func isNear(_ actual: Double, _ expected: Double, absolute: Double) -> Bool {
    abs(actual - expected) <= absolute
}
