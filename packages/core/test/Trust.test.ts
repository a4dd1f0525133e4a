import { assert, describe, it } from "@effect/vitest"
import { AccessPolicy, Redact, SafeName } from "../src/index.ts"

describe("SafeName", () => {
  it("accepts the names EOForge itself uses", () => {
    for (const n of ["s2l1c", "B8A", "VV", "spring", "2021-03", "cell_001.7", "a+b@c=d"])
      assert.isTrue(SafeName.isSafe(n), n)
  })
  it("refuses path syntax, control characters, device names and overlong names", () => {
    for (const n of [
      "",
      ".",
      "..",
      "../x",
      "a/b",
      "a\\b",
      "/abs",
      "x..y",
      "a b",
      "a\0b",
      "con",
      "NUL.txt",
      "-x",
      "é",
      "x".repeat(201)
    ])
      assert.isFalse(SafeName.isSafe(n), JSON.stringify(n))
    assert.isFalse(SafeName.isSafe(42))
  })
  it("assert names what was refused", () => {
    assert.throws(
      () => SafeName.assert("../etc", "band name"),
      /band name "..\/etc" contains a path separator/
    )
  })
  it("store keys stay under their root", () => {
    assert.isTrue(SafeName.isContainedKey("s2l1c/data/c/0/0/0"))
    for (const k of ["", "/x", "a//b", "a/../b", "./a", "a\\b", "a/.."])
      assert.isFalse(SafeName.isContainedKey(k), k)
  })
})

describe("Redact", () => {
  const sas =
    "https://acct.blob.core.windows.net/c/b.tif?st=2026&se=2027&sp=r&sig=SECRETSIG&skoid=abc"
  it("messages keep parameter names but not their values", () => {
    const shown = Redact.forMessage(sas)
    assert.notInclude(shown, "SECRETSIG")
    assert.include(shown, "sig=REDACTED")
  })
  it("records keep no signed query and no password", () => {
    assert.strictEqual(Redact.forRecord(sas), "https://acct.blob.core.windows.net/c/b.tif")
    assert.strictEqual(Redact.forRecord("https://u:pw@h/x#frag"), "https://u:***@h/x")
    assert.strictEqual(Redact.forRecord("https://h/x?f=tif"), "https://h/x?f=tif")
    assert.strictEqual(
      Redact.forRecord("https://b.s3.amazonaws.com/k?X-Amz-Signature=abc&X-Amz-Credential=AKIA"),
      "https://b.s3.amazonaws.com/k"
    )
  })
  it("finds URLs inside free text", () => {
    assert.notInclude(Redact.inText(`GET ${sas} failed: 403`), "SECRETSIG")
  })
})

describe("AccessPolicy", () => {
  const policy = AccessPolicy.make({
    hosts: ["data.example.org", "*.blob.core.windows.net"],
    localRoots: ["/data/cat"]
  })
  const remote = { _tag: "Remote", url: "https://data.example.org/stac/item.json" } as const
  const local = { _tag: "Local", path: "/data/cat/items/a.json" } as const
  const tag = (d: AccessPolicy.Decision) => d._tag
  it("remote catalogues reach only allowed hosts over http(s)/s3", () => {
    assert.strictEqual(tag(AccessPolicy.resolve(policy, "../b.tif", remote)), "Allowed")
    assert.strictEqual(
      tag(AccessPolicy.resolve(policy, "https://x.blob.core.windows.net/c/b.tif", remote)),
      "Allowed"
    )
    for (const href of [
      "file:///etc/passwd",
      "https://evil.example.com/a.tif",
      "ftp://data.example.org/a",
      "http://169.254.169.254/latest/meta-data"
    ])
      assert.strictEqual(tag(AccessPolicy.resolve(policy, href, remote)), "Refused", href)
  })
  it("'/etc/passwd' from a remote catalogue resolves against its host, never the disk", () => {
    const d = AccessPolicy.resolve(policy, "/etc/passwd", remote)
    // Same host, so allowed — as a URL on that host, not as a local file.
    assert.isTrue(
      d._tag === "Refused" ||
        (d.target._tag === "Url" && d.target.url === "https://data.example.org/etc/passwd")
    )
  })
  it("local catalogues reach only files under the recipe's folders", () => {
    const ok = AccessPolicy.resolve(policy, "../b.tif", local)
    assert.deepStrictEqual(ok, {
      _tag: "Allowed",
      target: { _tag: "File", path: "/data/cat/b.tif" }
    })
    for (const href of [
      "../../../etc/passwd",
      "/proc/self/environ",
      "file:///etc/shadow",
      "/data/catalogue/x.tif"
    ])
      assert.strictEqual(tag(AccessPolicy.resolve(policy, href, local)), "Refused", href)
    const root = AccessPolicy.make({ localRoots: ["/"] })
    assert.strictEqual(tag(AccessPolicy.resolve(root, "/proc/self/environ", local)), "Refused")
  })
  it("non-public addresses are refused in every spelling unless allowed", () => {
    for (const h of [
      "127.0.0.1",
      "localhost",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "::1",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "0.0.0.0",
      "100.64.0.1"
    ])
      assert.isTrue(AccessPolicy.isNonPublicHost(h), h)
    for (const h of ["8.8.8.8", "172.32.0.1", "example.org", "2001:db8::1"])
      assert.isFalse(AccessPolicy.isNonPublicHost(h), h)
    const p = AccessPolicy.make({ hosts: ["127.0.0.1"] })
    // The WHATWG parser turns decimal and hex spellings into dotted quads before the check.
    for (const u of ["http://127.0.0.1:9/x", "http://2130706433/x", "http://0x7f.1/x"])
      assert.strictEqual(tag(AccessPolicy.checkUrl(p, u)), "Refused", u)
    assert.strictEqual(
      tag(AccessPolicy.checkUrl({ ...p, allowPrivateNetworks: true }, "http://127.0.0.1:9/x")),
      "Allowed"
    )
  })
})
