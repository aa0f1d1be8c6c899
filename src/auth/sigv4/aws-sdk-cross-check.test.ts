/**
 * Cross-check against the AWS SDK's own signer (`@smithy/signature-v4`,
 * configured as the S3 client configures it): requests it signs or presigns,
 * over random hostile paths, queries and headers, must verify here, and
 * `signRequest` must produce the signatures it produces.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import type { GatewayRequest } from '../../core/http.ts';
import { signRequest } from './sign-request.ts';
import { awsUriEncode } from './uri-encode.ts';
import { verifyRequest, type VerifyDeps } from './verify.ts';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const CREDS = { accessKeyId: 'AKIAXCROSSCHECK', secretAccessKey: 'cr0ss/Check+Secret=Key' };
const NOW = new Date('2025-01-15T08:30:00Z');
const HOST = 'bucket.s3.example.com';

const signer = new SignatureV4({ credentials: CREDS, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });

const DEPS: VerifyDeps = {
  async lookupSecret(id) {
    return id === CREDS.accessKeyId ? { secretAccessKey: CREDS.secretAccessKey } : null;
  },
  now: () => NOW,
};

/** Deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEY_CHARS = [..."abcXYZ019-._~ !\"#$%&'()*+,/:;<=>?@[\\]^`{|}", 'é', 'ß', '€', '中', '😀', '\u0001', '\t', '..', '//', '%2F', '%zz'];
const QUERY_CHARS = [..."aZ09-._~ !#$%&'()*+,/:;=?@[]", 'é', '€', '😀'];
const VALUE_CHARS = [...'aZ09 -_.,;:="\'/\\()[]{}<>?!@#$%^&*+|`~', '\t', '  ', '   ', 'é', 'ÿ'];

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

function randomText(r: () => number, chars: readonly string[], min: number, max: number): string {
  const length = min + Math.floor(r() * (max - min + 1));
  let out = '';
  for (let i = 0; i < length; i++) out += pick(r, chars);
  return out;
}

/** The S3 client's key encoding: encodeURIComponent per segment, plus !'()*. */
function sdkEncodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** Encode the same bytes differently on the wire: the canonical form must not care. */
function wireEncode(r: () => number, text: string): string {
  switch (Math.floor(r() * 3)) {
    case 0:
      return awsUriEncode(text);
    case 1:
      return encodeURIComponent(text); // leaves !'()* raw
    default:
      return awsUriEncode(text).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  }
}

function randomQuery(r: () => number): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  const count = Math.floor(r() * 5);
  for (let i = 0; i < count; i++) {
    const name = `q${randomText(r, QUERY_CHARS, 0, 6)}`;
    query[name] = r() < 0.2 ? [randomText(r, QUERY_CHARS, 0, 8), randomText(r, QUERY_CHARS, 0, 8)] : randomText(r, QUERY_CHARS, 0, 12);
  }
  return query;
}

function wireQuery(r: () => number, query: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value ?? '']) parts.push(`${wireEncode(r, name)}=${wireEncode(r, v)}`);
  }
  // Order on the wire is irrelevant to the canonical form.
  return parts.sort(() => r() - 0.5).join('&');
}

function randomHeaders(r: () => number): Record<string, string> {
  const headers: Record<string, string> = {};
  const count = Math.floor(r() * 4);
  for (let i = 0; i < count; i++) headers[`x-amz-meta-${randomText(r, [...'abcdefghij0123456789-'], 1, 8)}`] = randomText(r, VALUE_CHARS, 0, 20);
  if (r() < 0.5) headers['content-type'] = `  text/plain;   charset="utf-8"  `;
  if (r() < 0.3) headers.range = 'bytes=0-99';
  return headers;
}

function randomKey(r: () => number): string {
  return randomText(r, KEY_CHARS, 1, 24);
}

interface Case {
  seed: number;
  method: string;
  key: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
}

function randomCase(seed: number): { c: Case; r: () => number } {
  const r = rng(seed);
  return { c: { seed, method: pick(r, ['GET', 'PUT', 'HEAD', 'DELETE', 'POST']), key: randomKey(r), query: randomQuery(r), headers: randomHeaders(r) }, r };
}

function gatewayRequest(method: string, path: string, rawQuery: string, headers: Record<string, string>): GatewayRequest {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return { method, rawPath: path, rawQuery, headers: lower, client: {} };
}

const CASES = 300;

describe('cross-check with the AWS SDK signer', () => {
  test(`${CASES} random requests signed by the SDK verify here`, async () => {
    for (let seed = 1; seed <= CASES; seed++) {
      const { c, r } = randomCase(seed);
      const path = `/${sdkEncodeKey(c.key)}`;
      const signed = await signer.sign(
        { method: c.method, protocol: 'https:', hostname: HOST, path, query: c.query, headers: { ...c.headers, host: HOST, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
        { signingDate: NOW },
      );
      const req = gatewayRequest(c.method, path, wireQuery(r, c.query), signed.headers);
      await verifyRequest(req, DEPS).catch((err: Error) => {
        assert.fail(`seed ${seed} (${JSON.stringify(c)}): ${err.message}\n${JSON.stringify((err as { details?: unknown }).details, null, 2)}`);
      });
      // And any change to the path breaks it.
      await assert.rejects(verifyRequest({ ...req, rawPath: `${path}x` }, DEPS), { code: 'SignatureDoesNotMatch' });
    }
  });

  test(`${CASES} random requests presigned by the SDK verify here`, async () => {
    for (let seed = 1001; seed <= 1000 + CASES; seed++) {
      const { c, r } = randomCase(seed);
      const path = `/${sdkEncodeKey(c.key)}`;
      const headers = { ...c.headers, host: HOST };
      // As @aws-sdk/s3-request-presigner does: the payload hash header is hoisted into the query.
      const presigned = await signer.presign(
        { method: c.method, protocol: 'https:', hostname: HOST, path, query: c.query, headers: { ...headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
        { signingDate: NOW, expiresIn: 900, unhoistableHeaders: new Set(Object.keys(c.headers)) },
      );
      const req = gatewayRequest(c.method, path, wireQuery(r, presigned.query ?? {}), headers);
      const result = await verifyRequest(req, DEPS).catch((err: Error) => {
        assert.fail(`seed ${seed} (${JSON.stringify(c)}): ${err.message}\n${JSON.stringify((err as { details?: unknown }).details, null, 2)}`);
      });
      assert.equal(result.method, 'presigned');
      assert.equal(result.payloadHash, 'UNSIGNED-PAYLOAD');
    }
  });

  test(`signRequest agrees with the SDK on ${CASES} random requests`, async () => {
    for (let seed = 2001; seed <= 2000 + CASES; seed++) {
      const { c, r } = randomCase(seed);
      const path = `/${sdkEncodeKey(c.key)}`;
      const payloadHash = 'UNSIGNED-PAYLOAD';
      const sdk = await signer.sign(
        { method: c.method, protocol: 'https:', hostname: HOST, path, query: c.query, headers: { ...c.headers, host: HOST, 'x-amz-content-sha256': payloadHash } },
        { signingDate: NOW },
      );
      const rawQuery = wireQuery(r, c.query);
      const ours = await signRequest(
        { method: c.method, url: `https://${HOST}${path}${rawQuery ? `?${rawQuery}` : ''}`, headers: c.headers },
        CREDS,
        { region: 'us-east-1', service: 's3', now: NOW, payloadHash },
      );
      assert.equal(ours.authorization, sdk.headers.authorization!, `seed ${seed} (${JSON.stringify(c)})`);
    }
  });
});
