import { describe, expect, it } from "@effect/vitest"
import * as Asf from "../src/index.ts"

describe("@eoforge/asf exports", () => {
  it("exposes the search client, date pairs, the kind, GUNW names and the preset", () => {
    expect(Object.keys(Asf)).toEqual(["AsfSearch", "DatePairs", "Gunw", "GunwName", "Presets"])
    expect(Asf.Gunw.kind.type).toBe("asf-gunw")
    expect(Object.keys(Asf.Presets.all)).toEqual(["aria-gunw"])
  })
})
