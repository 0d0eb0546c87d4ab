/**
 * Credentials never leave the process (DESIGN.md §3): anything that may carry a URL or a token
 * and goes into a log, a message, the database or a report passes through `redactSecrets`.
 */

/** `scheme://user:password@host` → `scheme://***@host`. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;
/** `Authorization: Basic …` / `Bearer …` as git and HTTP libraries print them. */
const AUTH_HEADER = /\b(authorization:\s*(?:basic|bearer|token)\s+)\S+/gi;
/** Query parameters that commonly carry secrets. */
const SECRET_QUERY = /([?&](?:access_token|token|password|private_token|api_key|apikey|key)=)[^&\s#]+/gi;

export function redactSecrets(text: string): string {
  return text.replace(URL_USERINFO, '$1***@').replace(AUTH_HEADER, '$1***').replace(SECRET_QUERY, '$1***');
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a character boundary.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
