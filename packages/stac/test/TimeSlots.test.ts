import { assert, describe, it } from "@effect/vitest"
import { TimeSlots } from "../src/index.ts"

describe("TimeSlots", () => {
  it("SSL4EO-S12 seasons span reference ± 15 whole days with the last day included", () => {
    const slots = TimeSlots.ssl4eoSeasons({ year: 2021, fallbackYear: 2020 })
    assert.deepStrictEqual(
      slots.map((s) => s.id),
      ["spring", "summer", "autumn", "winter"]
    )
    const summer = slots[1]
    assert.strictEqual(TimeSlots.iso(summer.start), "2021-06-06T00:00:00.000Z")
    assert.strictEqual(TimeSlots.iso(summer.end), "2021-07-06T23:59:59.999Z")
    assert.strictEqual(TimeSlots.iso(summer.reference), "2021-06-21T00:00:00.000Z")
    // The day SSL4EO-S12's exclusive end dropped is inside, the next midnight is not.
    assert.isTrue(TimeSlots.contains(summer, Date.parse("2021-07-06T23:59:59Z")))
    assert.isFalse(TimeSlots.contains(summer, Date.parse("2021-07-07T00:00:00Z")))
    assert.isTrue(TimeSlots.contains(summer, Date.parse("2021-06-06T00:00:00Z")))
    assert.isFalse(TimeSlots.contains(summer, Date.parse("2021-06-05T23:59:59.999Z")))
    assert.strictEqual(TimeSlots.iso(summer.fallback!.start), "2020-06-06T00:00:00.000Z")
    // The winter window crosses into the next year.
    assert.strictEqual(TimeSlots.iso(slots[3].end), "2022-01-05T23:59:59.999Z")
  })

  it("the half window is configurable and gives 2N + 1 days", () => {
    const [spring] = TimeSlots.ssl4eoSeasons({ year: 2021, halfWindowDays: 5 })
    assert.strictEqual((spring.end + 1 - spring.start) / 86_400_000, 11)
    assert.isUndefined(spring.fallback)
  })

  it("calendar seasons put DJF across the year boundary and handle leap Februaries", () => {
    const s = TimeSlots.calendarSeasons(2024)
    assert.deepStrictEqual(
      s.map((x) => x.id),
      ["DJF", "MAM", "JJA", "SON"]
    )
    assert.strictEqual(TimeSlots.iso(s[0].start), "2023-12-01T00:00:00.000Z")
    assert.strictEqual(TimeSlots.iso(s[0].end), "2024-02-29T23:59:59.999Z")
    assert.strictEqual(TimeSlots.iso(s[3].end), "2024-11-30T23:59:59.999Z")
  })

  it("hemisphere-aware seasons make DJF summer in the south and winter in the north", () => {
    const north = TimeSlots.calendarSeasons(2021, { hemisphere: TimeSlots.hemisphere(45) })
    const south = TimeSlots.calendarSeasons(2021, { hemisphere: TimeSlots.hemisphere(-33) })
    const byId = (xs: ReadonlyArray<TimeSlots.Slot>, id: string) => xs.find((x) => x.id === id)!
    assert.strictEqual(byId(south, "summer").start, byId(north, "winter").start)
    assert.strictEqual(TimeSlots.iso(byId(south, "summer").start), "2020-12-01T00:00:00.000Z")
    assert.strictEqual(TimeSlots.iso(byId(north, "summer").start), "2021-06-01T00:00:00.000Z")
  })

  it("months cover the year without gaps or overlaps", () => {
    const m = TimeSlots.months(2021)
    assert.strictEqual(m.length, 12)
    assert.strictEqual(m[1].id, "2021-02")
    assert.strictEqual(TimeSlots.iso(m[1].end), "2021-02-28T23:59:59.999Z")
    for (let i = 1; i < 12; i++) assert.strictEqual(m[i].start, m[i - 1].end + 1)
    assert.strictEqual(m[0].start, Date.UTC(2021, 0, 1))
    assert.strictEqual(m[11].end, Date.UTC(2022, 0, 1) - 1)
  })

  it("instants parse from ISO strings and epoch milliseconds", () => {
    assert.strictEqual(TimeSlots.instant("2021-06-21T00:00:00Z"), Date.UTC(2021, 5, 21))
    assert.strictEqual(TimeSlots.instant(5), 5)
    assert.isUndefined(TimeSlots.instant("not a date"))
  })
})
