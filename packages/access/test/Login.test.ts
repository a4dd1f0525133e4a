// HTTPS logins against local servers: NASA Earthdata Login's redirect flow (token or user/password, session
// cookie, pre-signed object host that must not see the credentials), OIDC password/refresh grants with expiry,
// and the typed, permanent failures naming what to set.
import { AccessPolicy } from "@eoforge/core"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as LoginServers from "../../../tools/servers/login.ts"
import { Auth, Guarded, type Login } from "../src/index.ts"

const file = new Uint8Array(5000).map((_, i) => (i * 31) & 255)
const user = { name: "eo-user", password: "pa55-WORD-secret" }
const token = "EDL-token-SECRET-123"
let servers: LoginServers.Servers
let serverSkewMs = 0
beforeAll(async () => {
  servers = await LoginServers.start({
    files: new Map([["/data/granule.bin", file]]),
    tokens: [token],
    user,
    accessSeconds: 600,
    now: () => Date.now() + serverSkewMs
  })
})
afterAll(() => servers.close())

const policy = AccessPolicy.make({
  hosts: ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"],
  allowPrivateNetworks: true
})
const get = async (
  url: string,
  logins: ReadonlyArray<Login.Login>,
  env: Record<string, string>,
  now?: () => number
) => {
  const auth = Auth.make(
    { logins },
    { env, guard: { policy }, ...(now === undefined ? {} : { now }) }
  )
  const res = await Guarded.request(url, { headers: { range: "bytes=100-199" } }, { policy, auth })
  return { status: res.status, bytes: await res.bytes() }
}
const earthdata = (): Login.Login => ({
  kind: "earthdata",
  hosts: ["127.0.0.2"],
  urs: "127.0.0.3",
  token: { env: "EARTHDATA_TOKEN" },
  username: { env: "EARTHDATA_USERNAME" },
  password: { env: "EARTHDATA_PASSWORD" }
})
const oidc = (): Login.Login => ({
  kind: "oidc",
  hosts: ["127.0.0.5"],
  tokenUrl: `${servers.urs}/token`,
  clientId: "cdse-public",
  username: { env: "CDSE_USERNAME" },
  password: { env: "CDSE_PASSWORD" }
})

describe("Earthdata Login", () => {
  it("follows the redirect to the login host and back with a token, then reads the pre-signed object without credentials", async () => {
    const before = servers.log.length
    const r = await get(`${servers.data}/data/granule.bin`, [earthdata()], {
      EARTHDATA_TOKEN: token
    })
    assert.strictEqual(r.status, 206)
    assert.deepStrictEqual(r.bytes, file.subarray(100, 200))
    const hops = servers.log.slice(before)
    assert.deepStrictEqual(
      hops.map((h) => [h.host, h.status]),
      [
        ["data", 302],
        ["urs", 302],
        ["data", 302],
        ["data", 307],
        ["objects", 206]
      ]
    )
    assert.strictEqual(hops[1]!.authorization, `Bearer ${token}`)
    assert.match(hops[3]!.cookie ?? "", /^asf-urs=[0-9a-f]+$/)
    // The object host sees neither the token nor the archive's cookie.
    assert.isUndefined(hops[4]!.authorization)
    assert.isUndefined(hops[4]!.cookie)
  })

  it("sends a user name and password as Basic to the login host only", async () => {
    const before = servers.log.length
    const r = await get(`${servers.data}/data/granule.bin`, [earthdata()], {
      EARTHDATA_USERNAME: user.name,
      EARTHDATA_PASSWORD: user.password
    })
    assert.strictEqual(r.status, 206)
    const hops = servers.log.slice(before)
    assert.match(hops.find((h) => h.host === "urs")!.authorization ?? "", /^Basic /)
    assert.isTrue(hops.filter((h) => h.host !== "urs").every((h) => h.authorization === undefined))
  })

  it("without a token or password: AccessDenied naming EARTHDATA_TOKEN, nothing sent", async () => {
    const before = servers.log.length
    const error = await get(`${servers.data}/data/granule.bin`, [earthdata()], {}).catch(
      (e: unknown) => e
    )
    assert.instanceOf(error, Guarded.AccessDenied)
    assert.match((error as Error).message, /EARTHDATA_TOKEN/)
    assert.strictEqual(servers.log.length, before)
  })

  it("an expired or wrong token is AccessDenied telling to renew it, and the token is not in the message", async () => {
    const error = await get(`${servers.data}/data/granule.bin`, [earthdata()], {
      EARTHDATA_TOKEN: "expired-TOKEN-value"
    }).catch((e: unknown) => e)
    assert.instanceOf(error, Guarded.AccessDenied)
    assert.strictEqual((error as Guarded.AccessDenied).status, 401)
    assert.match((error as Error).message, /renew the token in EARTHDATA_TOKEN/)
    assert.notInclude((error as Error).message, "expired-TOKEN-value")
  })
})

describe("OpenID Connect (CDSE)", () => {
  const env = { CDSE_USERNAME: user.name, CDSE_PASSWORD: user.password }

  it("logs in with the password grant and refreshes with the refresh token before expiry", async () => {
    let clock = Date.now()
    const auth = Auth.make({ logins: [oidc()] }, { env, guard: { policy }, now: () => clock })
    const read = async () =>
      (
        await Guarded.request(
          `${servers.oidcData}/odata/granule.bin`,
          { headers: { range: "bytes=0-9" } },
          { policy, auth }
        )
      ).status
    const before = servers.log.length
    assert.strictEqual(await read(), 206)
    assert.strictEqual(await read(), 206)
    clock += 560_000 // within a minute of the 600 s expiry: refreshed first
    assert.strictEqual(await read(), 206)
    const tokenCalls = servers.log.slice(before).filter((l) => l.path === "/token")
    assert.strictEqual(tokenCalls.length, 2)
    const bearers = servers.log
      .slice(before)
      .filter((l) => l.host === "oidcData")
      .map((l) => l.authorization)
    assert.strictEqual(new Set(bearers).size, 2)
  })

  it("a token the server no longer accepts is refreshed once after the 401 and the read goes through", async () => {
    const auth = Auth.make({ logins: [oidc()] }, { env, guard: { policy } })
    const read = () =>
      Guarded.request(`${servers.oidcData}/odata/granule.bin`, {}, { policy, auth })
    assert.strictEqual((await read()).status, 200)
    serverSkewMs = 700_000 // the server's clock moves past the token's expiry
    try {
      const before = servers.log.length
      assert.strictEqual((await read()).status, 200)
      assert.deepStrictEqual(
        servers.log.slice(before).map((l) => [l.host, l.status]),
        [
          ["oidcData", 401],
          ["urs", 200],
          ["oidcData", 200]
        ]
      )
    } finally {
      serverSkewMs = 0
    }
  })

  it("a wrong password is AccessDenied naming the variables, without the password", async () => {
    const error = await get(`${servers.oidcData}/odata/granule.bin`, [oidc()], {
      CDSE_USERNAME: user.name,
      CDSE_PASSWORD: "not-the-PASSWORD"
    }).catch((e: unknown) => e)
    assert.instanceOf(error, Guarded.AccessDenied)
    assert.match((error as Error).message, /invalid_grant.*CDSE_USERNAME and CDSE_PASSWORD/)
    assert.notInclude((error as Error).message, "not-the-PASSWORD")
  })

  it("a 401 after the refresh is AccessDenied saying so", async () => {
    servers.refuseTokens(true)
    try {
      const before = servers.log.length
      const error = await get(`${servers.oidcData}/odata/granule.bin`, [oidc()], env).catch(
        (e: unknown) => e
      )
      assert.instanceOf(error, Guarded.AccessDenied)
      assert.match((error as Error).message, /even after a refresh/)
      assert.deepStrictEqual(
        servers.log.slice(before).map((l) => [l.host, l.status]),
        [
          ["urs", 200],
          ["oidcData", 401],
          ["urs", 200],
          ["oidcData", 401]
        ]
      )
    } finally {
      servers.refuseTokens(false)
    }
  })
})
