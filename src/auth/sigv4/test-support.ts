/**
 * Shared fixtures for the SigV4 tests: a known key, a frozen clock, and
 * requests signed with `signRequest`/`presignUrl` in `GatewayRequest` form.
 */
import type { GatewayRequest } from '../../core/http.ts';
import { EMPTY_SHA256, webSigV4Crypto } from './crypto.ts';
import { SigV4Error } from './errors.ts';
import { signature } from './signing-key.ts';
import { presignUrl, signRequest } from './sign-request.ts';
import type { VerifyDeps } from './verify.ts';

export const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
export const NOW = new Date('2024-03-01T12:00:00Z');
export const HOST = 'bucket.s3.example.com';

export function deps(overrides: Partial<VerifyDeps> = {}): VerifyDeps {
  return {
    async lookupSecret(accessKeyId) {
      return accessKeyId === CREDS.accessKeyId ? { secretAccessKey: CREDS.secretAccessKey } : null;
    },
    now: () => NOW,
    ...overrides,
  };
}

export function fromUrl(method: string, url: string, headers: Record<string, string>): GatewayRequest {
  const m = /^https?:\/\/[^/]+([^?]*)(?:\?(.*))?$/.exec(url);
  if (!m) throw new Error(`bad url ${url}`);
  return { method, rawPath: m[1] || '/', rawQuery: m[2] ?? '', headers, client: {} };
}

export interface SignedRequestOptions {
  method?: string;
  path?: string;
  query?: string;
  headers?: Record<string, string>;
  payloadHash?: string;
  now?: Date;
  region?: string;
  service?: string;
  creds?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** A request as the gateway would receive it, signed with an Authorization header. */
export async function headerSigned(o: SignedRequestOptions = {}): Promise<GatewayRequest> {
  const method = o.method ?? 'GET';
  const url = `https://${HOST}${o.path ?? '/key.txt'}${o.query ? `?${o.query}` : ''}`;
  const headers = await signRequest({ method, url, headers: o.headers ?? {} }, o.creds ?? CREDS, {
    region: o.region ?? 'us-east-1',
    service: o.service ?? 's3',
    now: o.now ?? NOW,
    payloadHash: o.payloadHash ?? 'UNSIGNED-PAYLOAD',
  });
  return fromUrl(method, url, headers);
}

/** A request as the gateway would receive it, following a presigned URL. */
export async function presigned(o: SignedRequestOptions & { expiresIn?: number } = {}): Promise<GatewayRequest> {
  const method = o.method ?? 'GET';
  const url = await presignUrl(
    { method, url: `https://${HOST}${o.path ?? '/key.txt'}${o.query ? `?${o.query}` : ''}`, headers: o.headers },
    o.creds ?? CREDS,
    { region: o.region ?? 'us-east-1', service: o.service ?? 's3', now: o.now ?? NOW, expiresIn: o.expiresIn ?? 3600, payloadHash: o.payloadHash },
  );
  return fromUrl(method, url, { ...(o.headers ?? {}), host: HOST });
}

/** Assert that a promise rejects with a SigV4Error of the given code; returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<SigV4Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  if (!(caught instanceof SigV4Error)) throw new Error(`expected a SigV4Error ${code}, got ${String(caught)}`);
  if (caught.code !== code) throw new Error(`expected ${code}, got ${caught.code}: ${caught.message}`);
  if (message && !message.test(caught.message)) throw new Error(`message ${JSON.stringify(caught.message)} does not match ${message}`);
  return caught;
}

export interface ChunkSigningContext {
  signingKey: Uint8Array;
  scope: string;
  amzDate: string;
  seedSignature: string;
}

/**
 * Frame data as a signed aws-chunked body (one chunk per piece, then the
 * zero-size chunk), optionally with signed trailing headers.
 */
export async function signedChunkedBody(
  pieces: Uint8Array[],
  ctx: ChunkSigningContext,
  trailers?: Record<string, string>,
): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const out: Uint8Array[] = [];
  let previous = ctx.seedSignature;
  for (const piece of [...pieces, new Uint8Array(0)]) {
    const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', ctx.amzDate, ctx.scope, previous, EMPTY_SHA256, await webSigV4Crypto.sha256Hex(piece)].join('\n');
    previous = await signature(ctx.signingKey, toSign);
    out.push(encoder.encode(`${piece.byteLength.toString(16)};chunk-signature=${previous}\r\n`));
    if (piece.byteLength > 0) out.push(piece, encoder.encode('\r\n'));
  }
  if (trailers) {
    const canonical = Object.entries(trailers)
      .map(([name, value]) => `${name}:${value}\n`)
      .join('');
    const toSign = ['AWS4-HMAC-SHA256-TRAILER', ctx.amzDate, ctx.scope, previous, await webSigV4Crypto.sha256Hex(canonical)].join('\n');
    out.push(encoder.encode(`${canonical.replaceAll('\n', '\r\n')}x-amz-trailer-signature:${await signature(ctx.signingKey, toSign)}\r\n`));
  }
  out.push(encoder.encode('\r\n'));
  return concat(out);
}

export function concat(pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of pieces) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** A stream delivering `bytes` in pieces of `size` bytes. */
export function streamInPieces(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

/** Read a stream to the end, keeping what arrived before any error. */
export async function drain(stream: ReadableStream<Uint8Array>): Promise<{ bytes: Uint8Array; error?: unknown }> {
  const reader = stream.getReader();
  const pieces: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pieces.push(value);
    }
    return { bytes: concat(pieces) };
  } catch (error) {
    return { bytes: concat(pieces), error };
  }
}
