// The per-host pacer: no pacing before a refusal, then the rate the host admitted, one cut per round of
// refusals, growth only while it holds requests back.
import { assert, describe, it } from "@effect/vitest"
import { Pacing } from "../src/index.ts"

// A clock that advances only when told to, or (`sequential`: one requester waiting out each wait) by
// every wait it is asked for.
const fakeClock = (sequential = false) => {
  let t = 1_000_000
  const waits: Array<number> = []
  return {
    clock: {
      now: () => t,
      sleep: (ms: number) => {
        waits.push(ms)
        if (sequential) t += ms
        return Promise.resolve()
      }
    } satisfies Pacing.Clock,
    advance: (ms: number) => void (t += ms),
    waits
  }
}

// Bursts of 10 ms: requests held back one by one, so that the intervals show.
const pacerOf = () => Pacing.make({ ...Pacing.defaultOptions, burstMs: 10 })

// `n` requests sent and admitted, one every `everyMs` ms.
const serve = (
  pacer: Pacing.Pacer,
  { clock, advance }: ReturnType<typeof fakeClock>,
  n: number,
  everyMs: number
) => {
  for (let i = 0; i < n; i++) {
    pacer.admitted(pacer.sending(), clock)
    advance(everyMs)
  }
}

describe("a host's pacer", () => {
  it("lets every request go at once until the host refuses one", () => {
    const { clock, advance } = fakeClock()
    const pacer = pacerOf()
    for (let i = 0; i < 200; i++) {
      assert.isUndefined(pacer.acquire(clock))
      pacer.admitted(pacer.sending(), clock)
      advance(1)
    }
    assert.isUndefined(pacer.stats().rate)
  })

  it("after a refusal, spaces requests at the rate the host admitted over the last second", async () => {
    const time = fakeClock(true)
    const { clock, waits } = time
    const pacer = pacerOf()
    // 300 admitted in one second, then a refusal.
    serve(pacer, time, 300, 1000 / 300)
    assert.isTrue(pacer.throttled(pacer.sending(), clock))
    const rate = pacer.stats().rate!
    assert.approximately(rate, 300, 15)
    // 60 requests asked for at once: the first go now (a 10 ms burst), the others one 1/rate after another.
    const start = clock.now()
    const turns = Array.from({ length: 60 }, () => pacer.acquire(clock))
    assert.isAtLeast(turns.filter((t) => t !== undefined).length, 55)
    await Promise.all(turns)
    assert.approximately(clock.now() - start, (60 * 1000) / rate - 10, 1000 / rate + 1)
    for (const w of waits.slice(1)) assert.isAtMost(w, 1000 / rate + 1e-6)
  })

  it("slows the requests already waiting when it cuts the rate", async () => {
    const time = fakeClock(true)
    const { clock } = time
    const pacer = pacerOf()
    serve(pacer, time, 100, 10)
    pacer.throttled(pacer.sending(), clock)
    const rate = pacer.stats().rate!
    const start = clock.now()
    const turns = Array.from({ length: 40 }, () => pacer.acquire(clock))
    // One served and one refused of those sent after the cut, before the 40 have left: the rest leave at
    // 70 %.
    pacer.admitted(pacer.sending(), clock)
    assert.isTrue(pacer.throttled(pacer.sending(), clock))
    await Promise.all(turns)
    assert.approximately(
      clock.now() - start,
      (40 * 1000) / (rate * Pacing.defaultOptions.decrease),
      (5 * 1000) / rate
    )
  })

  it("cuts the rate once per round: refusals of requests sent before the cut, or before the host served one sent after it, do not cut again", () => {
    const time = fakeClock()
    const { clock, advance } = time
    const pacer = pacerOf()
    serve(pacer, time, 100, 10)
    const sent = pacer.sending()
    pacer.throttled(sent, clock)
    const first = pacer.stats().rate!
    advance(5)
    // Sent at the old rate, refused after the cut: no new cut.
    assert.isFalse(pacer.throttled(sent, clock))
    assert.strictEqual(pacer.stats().rate, first)
    // Sent after the cut and refused, while the host has served none sent after it (its bucket is still
    // empty from the old rate): no new cut.
    assert.isFalse(pacer.throttled(pacer.sending(), clock))
    assert.strictEqual(pacer.stats().rate, first)
    // One sent after the cut served, another refused: a cut to 70 %.
    pacer.admitted(pacer.sending(), clock)
    assert.isTrue(pacer.throttled(pacer.sending(), clock))
    assert.approximately(pacer.stats().rate!, first * Pacing.defaultOptions.decrease, 1e-9)
    assert.deepInclude(pacer.stats(), { throttled: 4, cuts: 2 })
  })

  it("raises the rate only while it holds requests back", async () => {
    const time = fakeClock(true)
    const { clock, advance } = time
    const pacer = pacerOf()
    serve(pacer, time, 100, 10)
    pacer.throttled(pacer.sending(), clock)
    // A second round of refusals: past the first rate's doubling.
    pacer.admitted(pacer.sending(), clock)
    pacer.throttled(pacer.sending(), clock)
    const cut = pacer.stats().rate!
    // Two seconds of requests well below the rate: nothing waits, the rate stays.
    for (let i = 0; i < 40; i++) {
      advance(50)
      void pacer.acquire(clock)
      pacer.admitted(pacer.sending(), clock)
    }
    assert.strictEqual(pacer.stats().rate, cut)
    // One second of requests asked for one after another as soon as allowed: they wait, and the rate grows
    // by 5 % of the cut rate per second.
    const before = pacer.stats().rate!
    const start = clock.now()
    while (clock.now() < start + 1000) {
      await pacer.acquire(clock)
      pacer.admitted(pacer.sending(), clock)
    }
    const grown = pacer.stats().rate! - before
    assert.approximately(grown, 0.05 * cut, 0.01 * cut)
  })

  it("the rate set at the first refusal doubles per second held back, until the next refusal", async () => {
    const { clock, advance } = fakeClock(true)
    const pacer = pacerOf()
    for (let i = 0; i < 5; i++) pacer.admitted(pacer.sending(), clock)
    advance(50)
    pacer.throttled(pacer.sending(), clock)
    // 5 admitted in 100 ms (the shortest span counted): 50/s.
    assert.approximately(pacer.stats().rate!, 50, 1e-9)
    // A second of requests asked for one after another as soon as allowed.
    const second = async () => {
      const start = clock.now()
      while (clock.now() < start + 1000) {
        await pacer.acquire(clock)
        pacer.admitted(pacer.sending(), clock)
      }
    }
    await second()
    assert.approximately(pacer.stats().rate!, 100, 5)
    // Refused again: 70 %, then 5 % of that per second.
    pacer.throttled(pacer.sending(), clock)
    const cut = pacer.stats().rate!
    await second()
    assert.approximately(pacer.stats().rate! - cut, 0.05 * cut, 0.01 * cut)
  })

  it("is shared by the requests to one host, and 429 and 503 are refusals", () => {
    assert.strictEqual(Pacing.forHost("a.example:9000"), Pacing.forHost("a.example:9000"))
    assert.notStrictEqual(Pacing.forHost("a.example:9000"), Pacing.forHost("b.example:9000"))
    assert.deepStrictEqual([200, 206, 404, 429, 500, 503].map(Pacing.isThrottle), [
      false,
      false,
      false,
      true,
      false,
      true
    ])
  })
})
