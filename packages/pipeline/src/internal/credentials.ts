// The recipe's `access.s3` and `access.logins` keys: which buckets and archives need credentials and where the
// secrets live (environment variable names, files, AWS profiles) — never the secrets themselves.
import type { Auth, Login } from "@eoforge/access"
import { Schema } from "effect"

const Url = Schema.String.check(
  Schema.isPattern(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, {
    message: "an http(s) URL such as https://eodata.dataspace.copernicus.eu (no query)"
  })
)

/** One bucket (or `*`): endpoint, region, addressing and whose keys sign its requests. */
export const StoreRecipe = Schema.Struct({
  bucket: Schema.NonEmptyString,
  /** S3-compatible endpoint (default AWS), e.g. https://eodata.dataspace.copernicus.eu. */
  endpoint: Schema.optionalKey(Url),
  region: Schema.optionalKey(Schema.NonEmptyString),
  pathStyle: Schema.optionalKey(Schema.Boolean),
  requesterPays: Schema.optionalKey(Schema.Boolean),
  /** Profile of the shared AWS config/credentials files. */
  profile: Schema.optionalKey(Schema.NonEmptyString),
  anonymous: Schema.optionalKey(Schema.Boolean)
})

/** Where a secret is: an environment variable name or a file (relative to the recipe) holding only it. */
export const SecretRecipe = Schema.Struct({
  env: Schema.optionalKey(Schema.String.check(Schema.isPattern(/^[A-Za-z_][A-Za-z0-9_]*$/))),
  file: Schema.optionalKey(Schema.NonEmptyString)
})

/** A login for a list of hosts. */
export const LoginRecipe = Schema.Struct({
  /** bearer (a token), earthdata (NASA Earthdata Login), header (a key header), oidc (CDSE). */
  kind: Schema.Literals(["bearer", "earthdata", "header", "oidc"]),
  /** Hosts the credentials are sent to (`*.example.org` for subdomains). */
  hosts: Schema.Array(Schema.NonEmptyString).check(Schema.isMinLength(1)),
  token: Schema.optionalKey(SecretRecipe),
  username: Schema.optionalKey(SecretRecipe),
  password: Schema.optionalKey(SecretRecipe),
  refreshToken: Schema.optionalKey(SecretRecipe),
  /** header: the header's value. */
  value: Schema.optionalKey(SecretRecipe),
  /** header: its name (default Ocp-Apim-Subscription-Key). */
  header: Schema.optionalKey(Schema.NonEmptyString),
  /** earthdata: the login host (default urs.earthdata.nasa.gov). */
  urs: Schema.optionalKey(Schema.NonEmptyString),
  /** oidc: token endpoint (default CDSE's) and client id (default cdse-public). */
  tokenUrl: Schema.optionalKey(Url),
  clientId: Schema.optionalKey(Schema.NonEmptyString)
})

/** Nested key names, for did-you-mean hints. */
export const credentialKeys: ReadonlyArray<string> = [
  ...Object.keys(StoreRecipe.fields),
  ...Object.keys(LoginRecipe.fields)
]

/** CDSE's OpenID Connect token endpoint. */
export const cdseTokenUrl =
  "https://identity.dataspace.copernicus.eu/auth/realms/CDSE/protocol/openid-connect/token"

type Secret = typeof SecretRecipe.Type

/** The Auth config of the recipe's `access` key; secret files resolve against the recipe. */
export const configOf = (
  access:
    | {
        readonly s3?: ReadonlyArray<typeof StoreRecipe.Type> | undefined
        readonly logins?: ReadonlyArray<typeof LoginRecipe.Type> | undefined
      }
    | undefined,
  resolvePath: (path: string) => string
): Auth.Config => {
  const source = (s: Secret | undefined, env: string) =>
    s === undefined
      ? { env }
      : {
          ...(s.env === undefined ? {} : { env: s.env }),
          ...(s.file === undefined ? {} : { file: resolvePath(s.file) })
        }
  const logins = (access?.logins ?? []).map((l): Login.Login => {
    switch (l.kind) {
      case "bearer":
        return { kind: "bearer", hosts: l.hosts, token: source(l.token, "EOFORGE_TOKEN") }
      case "earthdata":
        return {
          kind: "earthdata",
          hosts: l.hosts,
          ...(l.urs === undefined ? {} : { urs: l.urs }),
          token: source(l.token, "EARTHDATA_TOKEN"),
          username: source(l.username, "EARTHDATA_USERNAME"),
          password: source(l.password, "EARTHDATA_PASSWORD")
        }
      case "header":
        return {
          kind: "header",
          hosts: l.hosts,
          name: l.header ?? "Ocp-Apim-Subscription-Key",
          value: source(l.value, "PC_SDK_SUBSCRIPTION_KEY")
        }
      case "oidc":
        return {
          kind: "oidc",
          hosts: l.hosts,
          tokenUrl: l.tokenUrl ?? cdseTokenUrl,
          clientId: l.clientId ?? "cdse-public",
          username: source(l.username, "CDSE_USERNAME"),
          password: source(l.password, "CDSE_PASSWORD"),
          ...(l.refreshToken === undefined ? {} : { refreshToken: source(l.refreshToken, "") })
        }
    }
  })
  return { stores: access?.s3 ?? [], logins }
}
