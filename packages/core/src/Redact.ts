// The one rule for secrets in URLs: what may be shown in a message and what may be persisted.
// Messages keep parameter names with `REDACTED` values; persisted records keep no query or credentials at all.

const sensitive =
  /^(sig|se|st|sp|sv|sr|spr|srt|ss|skoid|sktid|skt|ske|sks|skv|token|signature|key|code|access_token|subscription-key|x-amz-.*|x-goog-.*|awsaccesskeyid|expires|policy|key-pair-id|credential)$/i

const splitUrl = (url: string) => {
  const hash = url.indexOf("#")
  const beforeHash = hash < 0 ? url : url.slice(0, hash)
  const q = beforeHash.indexOf("?")
  return {
    base: q < 0 ? beforeHash : beforeHash.slice(0, q),
    query: q < 0 ? undefined : beforeHash.slice(q + 1),
    fragment: hash < 0 ? "" : url.slice(hash)
  }
}

// `scheme://user:password@host` keeps the user name only.
const withoutPassword = (base: string): string =>
  base.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@?#]*)@/i, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":")
    return colon < 0 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:***@`
  })

const isSensitive = (name: string): boolean => {
  try {
    return sensitive.test(decodeURIComponent(name))
  } catch {
    return true
  }
}

/** The URL for messages and logs: credential-like query values become `REDACTED`, passwords `***`. */
export const forMessage = (url: string): string => {
  const { base, query, fragment } = splitUrl(url)
  const shown = withoutPassword(base)
  if (query === undefined) return `${shown}${fragment}`
  const parts = query.split("&").map((part) => {
    const eq = part.indexOf("=")
    const name = eq < 0 ? part : part.slice(0, eq)
    return isSensitive(name) ? `${name}=REDACTED` : part
  })
  return `${shown}?${parts.join("&")}${fragment}`
}

/**
 * The URL for anything persisted (stores, job records, reports): no query string at all when any parameter
 * looks like a credential, no password, no fragment. Unsigned queries (e.g. a tile service's `?f=tif`) stay.
 */
export const forRecord = (url: string): string => {
  const { base, query } = splitUrl(url)
  const kept = withoutPassword(base)
  if (query === undefined || query === "") return kept
  const signed = query.split("&").some((part) => {
    const eq = part.indexOf("=")
    return isSensitive(eq < 0 ? part : part.slice(0, eq))
  })
  return signed ? kept : `${kept}?${query}`
}

/** Every URL-looking substring of `text` passed through {@link forMessage} (for error messages and causes). */
export const inText = (text: string): string =>
  text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (u) => forMessage(u))
