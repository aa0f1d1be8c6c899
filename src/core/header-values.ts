/**
 * Header values as text. HTTP carries header values as bytes, and both
 * runtimes hand them over one character per byte (Node's parser and the
 * Fetch `Headers` read them as Latin-1). Clients mean UTF-8: the AWS SDKs
 * send a metadata value such as `Zoë` as its UTF-8 bytes and sign its UTF-8
 * form, so read as Latin-1 it would be stored as `ZoÃ«` and hash to other
 * bytes than the client signed. Adapters put every value through
 * `headerValueText` before the core sees it, so the signature is checked
 * over exactly the bytes the client sent and metadata is stored as the text
 * it meant.
 */

const NON_ASCII = /[\x80-\xff]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text a header value's bytes spell: UTF-8 when they are valid UTF-8
 * (re-encoding gives back the very bytes received), else the Latin-1
 * reading — what a client that sent Latin-1 bytes of a text it signed as
 * UTF-8 meant. ASCII, nearly every value, returns unchanged at once.
 */
export function headerValueText(latin1: string): string {
  if (!NON_ASCII.test(latin1)) return latin1;
  const bytes = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) {
    const code = latin1.charCodeAt(i);
    if (code > 0xff) return latin1; // already text, not one character per byte
    bytes[i] = code;
  }
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1;
  }
}
