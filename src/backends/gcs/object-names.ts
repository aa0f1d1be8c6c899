/**
 * Object keys ↔ GCS object names: the connection's base prefix added on the
 * way out, stripped on the way back. GCS refuses some names outright — `.`
 * and `..`, names holding CR or LF, names over 1024 UTF-8 bytes, names under
 * `.well-known/acme-challenge/` — and the connection's multipart area is
 * the gateway's own; such keys are refused as unsupported (and reported
 * missing on reads) instead of being altered.
 */

const MAX_NAME_BYTES = 1024;

/** Why `key` cannot be stored under `prefix` (undefined when it can). */
export function objectNameProblem(prefix: string, key: string, multipartPrefix: string): string | undefined {
  const name = prefix + key;
  if (name === '.' || name === '..') return 'GCS refuses the object names "." and ".."';
  if (/[\r\n]/.test(name)) return 'GCS object names cannot hold carriage returns or line feeds';
  if (new TextEncoder().encode(name).byteLength > MAX_NAME_BYTES) return `GCS object names are at most ${MAX_NAME_BYTES} UTF-8 bytes (the base prefix included)`;
  if (name.startsWith('.well-known/acme-challenge/')) return 'GCS reserves names under .well-known/acme-challenge/';
  if (name.startsWith(multipartPrefix)) return `the connection keeps multipart uploads under ${multipartPrefix}`;
  return undefined;
}
