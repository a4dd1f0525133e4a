// Where secrets come from: AWS keys (environment variables, the shared config and credentials files with a
// profile) and tokens (an environment variable or a file). Every secret is held as a `Redacted` value.
import { Redacted } from "effect"
import { readFile } from "node:fs/promises"
import { homedir } from "node:os"
import { join } from "node:path"
import { AccessDenied } from "./Guarded.ts"

/** An environment: variable names to values (`process.env` in the command, a plain object in tests). */
export type Environment = Readonly<Record<string, string | undefined>>

/** AWS-style keys for Signature V4 (AWS, or an S3-compatible service's own keys). */
export interface AwsKeys {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
  /** The region of the profile (`region` in the config file or AWS_REGION), if any. */
  readonly region?: string | undefined
  /** Where they came from, for messages: `environment` or `profile NAME`. */
  readonly origin: string
}

/** One section per profile of an INI file (`[name]` or, in the config file, `[profile name]`). */
export const parseIni = (text: string): ReadonlyMap<string, ReadonlyMap<string, string>> => {
  const sections = new Map<string, Map<string, string>>()
  let current: Map<string, string> | undefined
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+|\s+$/g, "")
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line)
    if (header !== null) {
      current = sections.get(header[1]!) ?? new Map()
      sections.set(header[1]!, current)
      continue
    }
    const eq = line.indexOf("=")
    if (current === undefined || eq < 0) continue
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim())
  }
  return sections
}

const readOptional = (path: string): Promise<string | undefined> =>
  readFile(path, "utf8").catch((error: { code?: string }) => {
    if (error.code === "ENOENT") return undefined
    throw error
  })

/** Paths of the shared credentials and config files, as the AWS CLI finds them. */
export const sharedFiles = (env: Environment): { credentials: string; config: string } => {
  const home = env.HOME ?? homedir()
  return {
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials"),
    config: env.AWS_CONFIG_FILE ?? join(home, ".aws", "config")
  }
}

const fromEnvironment = (env: Environment): AwsKeys | undefined => {
  const id = env.AWS_ACCESS_KEY_ID
  const secret = env.AWS_SECRET_ACCESS_KEY
  if (id === undefined || id === "" || secret === undefined || secret === "") return undefined
  const token = env.AWS_SESSION_TOKEN
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION
  return {
    accessKeyId: id,
    secretAccessKey: Redacted.make(secret),
    ...(token === undefined || token === "" ? {} : { sessionToken: Redacted.make(token) }),
    ...(region === undefined ? {} : { region }),
    origin: "environment"
  }
}

const fromProfile = async (env: Environment, profile: string): Promise<AwsKeys | undefined> => {
  const files = sharedFiles(env)
  const [credText, configText] = await Promise.all([
    readOptional(files.credentials),
    readOptional(files.config)
  ])
  const creds = credText === undefined ? undefined : parseIni(credText).get(profile)
  const config = configText === undefined ? undefined : parseIni(configText).get(profile)
  const get = (k: string) => creds?.get(k) ?? config?.get(k)
  const id = get("aws_access_key_id")
  const secret = get("aws_secret_access_key")
  if (id === undefined || secret === undefined) return undefined
  const token = get("aws_session_token")
  const region = config?.get("region") ?? creds?.get("region")
  return {
    accessKeyId: id,
    secretAccessKey: Redacted.make(secret),
    ...(token === undefined ? {} : { sessionToken: Redacted.make(token) }),
    ...(region === undefined ? {} : { region }),
    origin: `profile ${profile}`
  }
}

/**
 * AWS keys as the AWS CLI finds them: a profile the recipe names is read from the shared files only (its
 * keys may be another service's, e.g. CDSE's); otherwise AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
 * (+ AWS_SESSION_TOKEN), then the AWS_PROFILE (or `default`) profile. Rejects with AccessDenied naming
 * what to set when none is found.
 */
export const aws = async (
  env: Environment,
  profile: string | undefined,
  what: string
): Promise<AwsKeys> => {
  const files = sharedFiles(env)
  if (profile !== undefined) {
    const keys = await fromProfile(env, profile)
    if (keys !== undefined) return keys
    throw new AccessDenied(
      `${what} needs the keys of profile ${profile}, which neither ${files.credentials} nor ${files.config} holds`,
      `add aws_access_key_id and aws_secret_access_key to [${profile}] in ${files.credentials} (or point AWS_SHARED_CREDENTIALS_FILE at a file that has them)`
    )
  }
  const keys = fromEnvironment(env) ?? (await fromProfile(env, env.AWS_PROFILE ?? "default"))
  if (keys !== undefined) return keys
  throw new AccessDenied(
    `${what} needs AWS credentials and none are set`,
    `set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or a profile in ${files.credentials} named by AWS_PROFILE or the recipe's access.s3 profile`
  )
}

/** Where a token (or password) is read from: an environment variable, else a file holding only it. */
export interface SecretSource {
  readonly env?: string | undefined
  readonly file?: string | undefined
}

/** The secret named by `source`, or AccessDenied saying which variable or file to set. */
export const secret = async (
  env: Environment,
  source: SecretSource,
  what: string
): Promise<Redacted.Redacted<string>> => {
  const fromEnv = source.env === undefined ? undefined : env[source.env]
  if (fromEnv !== undefined && fromEnv !== "") return Redacted.make(fromEnv)
  if (source.file !== undefined) {
    const text = await readOptional(source.file)
    if (text !== undefined && text.trim() !== "") return Redacted.make(text.trim())
  }
  const where = [
    ...(source.env === undefined ? [] : [`the environment variable ${source.env}`]),
    ...(source.file === undefined ? [] : [`the file ${source.file}`])
  ].join(" or ")
  throw new AccessDenied(`${what} needs a secret and none is set`, `set ${where || "one"}`)
}
