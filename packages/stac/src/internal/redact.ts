// Removal of credentials from URLs before they reach messages, logs or outputs.
// Query parameters that carry SAS tokens, signatures or keys keep their names but lose their values.

const sensitive =
  /^(sig|se|st|sp|sv|sr|spr|srt|ss|skoid|sktid|skt|ske|sks|skv|token|signature|key|code|access_token|subscription-key|x-amz-.*|x-goog-.*)$/i

/** The URL with the values of credential-like query parameters replaced by `REDACTED`. */
export const redactUrl = (url: string): string => {
  const q = url.indexOf("?")
  if (q < 0) return url
  const hash = url.indexOf("#", q)
  const query = url.slice(q + 1, hash < 0 ? undefined : hash)
  const parts = query.split("&").map((part) => {
    const eq = part.indexOf("=")
    const name = eq < 0 ? part : part.slice(0, eq)
    return sensitive.test(decodeURIComponent(name)) ? `${name}=REDACTED` : part
  })
  return `${url.slice(0, q)}?${parts.join("&")}${hash < 0 ? "" : url.slice(hash)}`
}
