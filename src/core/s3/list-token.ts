/**
 * Opaque, tamper-proof continuation tokens for ListObjectsV2.
 *
 * A token carries the backend's own position plus the listing it belongs to
 * (bucket, prefix, delimiter), sealed with an HMAC. A forged token, or one
 * from another listing, is refused with 400 InvalidArgument as S3 does,
 * instead of being handed to a backend.
 */
import { fromBase64, toBase64Url } from '../base64.ts';
import { invalidArgument } from '../errors/s3-error.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAC_BYTES = 16;

function decodeBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    return fromBase64(text);
  } catch {
    return null;
  }
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export interface ListBinding {
  bucket: string;
  prefix: string;
  delimiter?: string;
}

export class ListTokenCodec {
  private readonly key: Promise<CryptoKey>;

  constructor(secret: Uint8Array) {
    this.key = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  }

  async seal(position: string, binding: ListBinding): Promise<string> {
    const payload = encoder.encode(position);
    return `${toBase64Url(payload)}.${toBase64Url(await this.mac(payload, binding))}`;
  }

  /** The backend position inside a token, or 400 InvalidArgument. */
  async open(token: string, binding: ListBinding): Promise<string> {
    const [payloadText, macText, extra] = token.split('.');
    const payload = payloadText === undefined ? null : decodeBase64Url(payloadText);
    const mac = macText === undefined ? null : decodeBase64Url(macText);
    if (extra !== undefined || payload === null || mac === null || !constantTimeEqual(mac, await this.mac(payload, binding))) {
      throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
    }
    return decoder.decode(payload);
  }

  private async mac(payload: Uint8Array, binding: ListBinding): Promise<Uint8Array> {
    const context = encoder.encode(JSON.stringify([binding.bucket, binding.prefix, binding.delimiter ?? null]));
    const message = new Uint8Array(context.byteLength + 1 + payload.byteLength);
    message.set(context, 0);
    message.set(payload, context.byteLength + 1);
    const full = new Uint8Array(await crypto.subtle.sign('HMAC', await this.key, message));
    return full.slice(0, MAC_BYTES);
  }
}
