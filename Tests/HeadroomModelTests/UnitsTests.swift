import Testing
@testable import HeadroomModel

@Suite struct UnitParsing {
    @Test func durationsConvertToSeconds() throws {
        #expect(try Units.duration("20ms") == 0.02)
        #expect(try Units.duration("1.5s") == 1.5)
        #expect(try Units.duration("2min") == 120)
        #expect(try Units.duration("1h") == 3600)
        #expect(abs(try Units.duration("500us") - 0.0005) < 1e-15)
        #expect(try Units.duration("0") == 0)
    }

    @Test func bareNumberDurationIsRejectedWithAHint() {
        #expect(throws: ParseFailure.self) { try Units.duration("20") }
        do { _ = try Units.duration("20") } catch { #expect(error.message.hasPrefix("duration needs a unit, e.g. 20ms")) }
    }

    @Test func minutesMustBeWrittenMin() {
        do { _ = try Units.duration("5m"); Issue.record("accepted 5m") } catch {
            #expect(error.message.contains("write minutes as `min`"))
        }
    }

    @Test func ratesConvertToPerSecond() throws {
        #expect(try Units.rate("50/s") == 50)
        #expect(try Units.rate("3000/min") == 50)
        #expect(abs(try Units.rate("10/h") - 10.0 / 3600) < 1e-12)
        #expect(try Units.rate("120 rpm") == 2)
    }

    @Test func bareNumberRateIsRejected() {
        do { _ = try Units.rate("50"); Issue.record("accepted 50") } catch {
            #expect(error.message == "rate needs a unit, e.g. 50/s or 50/min (got `50`)")
        }
    }

    @Test func percentagesAndRatiosAreFractions() throws {
        #expect(try Units.fraction("85%") == 0.85)
        #expect(try Units.fraction("0.85") == 0.85)
    }

    @Test func durationsFormatInTheirNaturalUnit() {
        #expect(Units.formatDuration(0.02) == "20ms")
        #expect(Units.formatDuration(0.0002) == "200us")
        #expect(Units.formatDuration(1.5) == "1.5s")
        #expect(Units.formatDuration(120) == "2min")
        #expect(Units.formatDuration(7200) == "2h")
        #expect(Units.formatDuration(30 * 86400) == "30d")
    }
}
