import { assert, describe, it } from "@effect/vitest"
import type { Build } from "@eoforge/pipeline"
import { Progress } from "../src/index.ts"

/** A stand-in for process.stderr that records what is written. */
const sink = (isTTY: boolean) => {
  const writes: Array<string> = []
  const out = {
    isTTY,
    write: (s: string) => (writes.push(s), true)
  } as unknown as NodeJS.WriteStream
  return { out, writes }
}

const events: ReadonlyArray<Build.Event> = [
  {
    type: "plan",
    store: "out/x.zarr",
    patches: 40,
    candidates: 90,
    rejected: 50,
    shards: 4,
    todo: 4,
    chipsPerShard: 70,
    splits: { train: 24, val: 8, test: 8, guard: 0 },
    resumed: false
  },
  {
    type: "shard",
    shard: 0,
    done: 1,
    total: 4,
    chips: 70,
    missing: 0,
    skipped: false,
    samples: 10
  },
  {
    type: "shard",
    shard: 1,
    done: 2,
    total: 4,
    chips: 68,
    missing: 2,
    skipped: false,
    samples: 10
  },
  { type: "finalize" },
  { type: "done", summary: undefined, store: "out/x.zarr" }
]

describe("Progress", () => {
  it("writes one JSON object per event with its type when the format is json", () => {
    const { out, writes } = sink(true)
    const p = Progress.make("json", out)
    for (const e of events) p.onEvent(e)
    assert.strictEqual(writes.length, events.length)
    const parsed = writes.map((w) => {
      assert.isTrue(w.endsWith("\n"))
      return JSON.parse(w)
    })
    assert.deepStrictEqual(
      parsed.map((e) => e.type),
      events.map((e) => e.type)
    )
    assert.strictEqual(parsed[2].missing, 2)
    assert.isFalse(Number.isNaN(Date.parse(parsed[0].time)))
  })

  it("picks JSON lines off a terminal and a live bar on one when the format is auto", () => {
    const pipe = sink(false)
    Progress.make("auto", pipe.out).onEvent(events[0])
    assert.doesNotThrow(() => JSON.parse(pipe.writes[0]))
    const tty = sink(true)
    const p = Progress.make("auto", tty.out)
    p.onEvent(events[0])
    p.onEvent(events[1])
    assert.include(tty.writes[0], "40 patches")
    assert.isTrue(tty.writes[1].startsWith("\r"), "the bar redraws in place")
  })

  it("shows shards done, patches, rate and ETA from the clock it is given", () => {
    const { out, writes } = sink(false)
    let now = 0
    const p = Progress.make("pretty", out, () => now)
    p.onEvent(events[0])
    now = 2000
    p.onEvent(events[1])
    const line = writes[1]
    assert.include(line, "1/4 shards")
    assert.include(line, "10 patches")
    assert.include(line, "5.0 patches/s")
    assert.include(line, "ETA 6s")
    now = 4000
    p.onEvent(events[2])
    assert.include(writes[2], "2/4 shards")
    assert.include(writes[2], "ETA 4s")
  })

  it("ends with what the catalogue searches cost when the build searched through cells", () => {
    const { out, writes } = sink(false)
    const p = Progress.make("pretty", out)
    p.onEvent({
      type: "done",
      summary: undefined,
      store: "out/x.zarr",
      searches: { cellSearches: 12, memoryHits: 480, diskHits: 3, direct: 1 }
    })
    assert.strictEqual(writes.length, 1)
    assert.include(writes[0], "12 searches of whole search cells")
    assert.include(writes[0], "480 patch searches answered from memory")
    assert.include(writes[0], "1 patch searches sent alone")
    const quiet = sink(false)
    Progress.make("pretty", quiet.out).onEvent(events[4])
    assert.deepStrictEqual(quiet.writes, [])
  })
  it("ends with the range requests per chip, the retried ones and those refused as too many", () => {
    const { out, writes } = sink(false)
    Progress.make("pretty", out).onEvent({
      type: "done",
      summary: undefined,
      store: "out/x.zarr",
      transfer: {
        chips: 40,
        requests: 640,
        bytes: 200e6,
        retries: 12,
        throttled: 9,
        requestsPerChip: 16,
        bytesPerChip: 5e6
      }
    })
    assert.strictEqual(writes.length, 1)
    assert.include(writes[0], "640 range requests, 200.0 MB for 40 chips")
    assert.include(writes[0], "16.0 requests, 5.00 MB per chip")
    assert.include(writes[0], "12 retried, 9 refused as too many")
  })
})
