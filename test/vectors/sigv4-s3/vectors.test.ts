/**
 * The SigV4 worked examples from the Amazon S3 API Reference (see README.md):
 * signing must produce the documented values, verification must accept the
 * documented requests and refuse them, with S3's error codes, once altered.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { readAll } from '../../../src/core/body.ts';
import type { GatewayRequest } from '../../../src/core/http.ts';
import {
  createChunkSignatureDecoder,
  createPayloadHashVerifier,
  presignUrl,
  SigV4Error,
  signRequest,
  verifyRequest,
  webSigV4Crypto,
  type VerifyDeps,
} from '../../../src/auth/sigv4/index.ts';
import { nodeSigV4Crypto } from '../../../src/runtimes/node/sigv4-crypto.ts';

interface Vector {
  name: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  service: string;
  now: string;
  request: { method: string; rawPath: string; rawQuery: string; headers: Record<string, string>; body?: string };
  payloadHash: string;
  signedHeaders: string[];
  canonicalRequest?: string;
  stringToSign?: string;
  signature: string;
  authorization?: string;
  url?: string;
  expiresIn?: number;
  presignedUrl?: string;
  chunks?: Array<{ size: number; fill: string; stringToSign?: string; signature: string }>;
  trailer?: { headers: Record<string, string>; signature: string } | null;
}

function load(name: string): Vector {
  return JSON.parse(readFileSync(new URL(`./${name}.json`, import.meta.url), 'utf8')) as Vector;
}

const SINGLE_CHUNK = ['get-object', 'put-object', 'get-bucket-lifecycle', 'list-objects'].map(load);
const PRESIGNED = load('presigned-get-object');
const CHUNKED = load('chunked-put-object');
const TRAILER = load('chunked-put-object-trailer');

function depsFor(v: Vector, overrides: Partial<VerifyDeps> = {}): VerifyDeps {
  return {
    async lookupSecret(id) {
      return id === v.credentials.accessKeyId ? { secretAccessKey: v.credentials.secretAccessKey } : null;
    },
    now: () => new Date(v.now),
    ...overrides,
  };
}

/** The documented request as the gateway receives it, signed with the documented Authorization header. */
function documentedRequest(v: Vector, extraHeaders: Record<string, string | undefined> = {}): GatewayRequest {
  const headers: Record<string, string> = { ...v.request.headers };
  headers.authorization =
    v.authorization ??
    `AWS4-HMAC-SHA256 Credential=${v.credentials.accessKeyId}/20130524/${v.region}/${v.service}/aws4_request,SignedHeaders=${v.signedHeaders.join(';')},Signature=${v.signature}`;
  for (const [name, value] of Object.entries(extraHeaders)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return { method: v.request.method, rawPath: v.request.rawPath, rawQuery: v.request.rawQuery, headers, client: {} };
}

async function refusal(promise: Promise<unknown>, code: string): Promise<SigV4Error> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SigV4Error, `expected SigV4Error ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, but the request was accepted`);
}

function signatureOf(authorization: string): string {
  return /Signature=([0-9a-f]{64})$/.exec(authorization)![1]!;
}

for (const crypto of [webSigV4Crypto, nodeSigV4Crypto]) {
  const label = crypto === webSigV4Crypto ? 'WebCrypto' : 'node:crypto';

  describe(`S3 single-chunk examples (${label})`, () => {
    for (const v of SINGLE_CHUNK) {
      test(`signRequest produces the documented signature: ${v.name}`, async () => {
        const { host, 'x-amz-date': _date, 'x-amz-content-sha256': _hash, ...rest } = v.request.headers;
        const query = v.request.rawQuery === '' ? '' : `?${v.request.rawQuery}`;
        const headers = await signRequest({ method: v.request.method, url: `https://${host}${v.request.rawPath}${query}`, headers: rest }, v.credentials, {
          region: v.region,
          service: v.service,
          now: new Date(v.now),
          payloadHash: v.payloadHash,
          crypto,
        });
        assert.equal(signatureOf(headers.authorization!), v.signature);
        assert.match(headers.authorization!, new RegExp(`SignedHeaders=${v.signedHeaders.join(';')},`));
      });

      test(`verifyRequest accepts the documented request: ${v.name}`, async () => {
        const result = await verifyRequest(documentedRequest(v), depsFor(v, { crypto }));
        assert.equal(result.accessKeyId, v.credentials.accessKeyId);
        assert.equal(result.payloadHash, v.payloadHash);
        assert.equal(result.seedSignature, v.signature);
      });

      test(`a wrong signature reports the documented canonical request and string to sign: ${v.name}`, async () => {
        const req = documentedRequest(v);
        req.headers.authorization = req.headers.authorization!.replace(v.signature, '0'.repeat(64));
        const err = await refusal(verifyRequest(req, depsFor(v, { crypto })), 'SignatureDoesNotMatch');
        assert.equal(err.details.CanonicalRequest, v.canonicalRequest);
        assert.equal(err.details.StringToSign, v.stringToSign);
        assert.equal(err.details.SignatureProvided, '0'.repeat(64));
      });
    }
  });
}

describe('S3 single-chunk examples: each alteration gets the S3 error', () => {
  const v = SINGLE_CHUNK[0]!;

  test('a changed signed header: SignatureDoesNotMatch', async () => {
    await refusal(verifyRequest(documentedRequest(v, { range: 'bytes=0-99' }), depsFor(v)), 'SignatureDoesNotMatch');
  });

  test('an unknown access key: InvalidAccessKeyId', async () => {
    await refusal(verifyRequest(documentedRequest(v), depsFor(v, { lookupSecret: async () => null })), 'InvalidAccessKeyId');
  });

  test('a clock an hour later: RequestTimeTooSkewed', async () => {
    await refusal(verifyRequest(documentedRequest(v), depsFor(v, { now: () => new Date('2013-05-24T01:00:00Z') })), 'RequestTimeTooSkewed');
  });

  test('a region the gateway does not serve: AuthorizationHeaderMalformed', async () => {
    await refusal(verifyRequest(documentedRequest(v), depsFor(v, { allowedRegions: ['eu-west-1'] })), 'AuthorizationHeaderMalformed');
  });

  test('an x-amz-date on another day than the credential: AuthorizationHeaderMalformed', async () => {
    const req = documentedRequest(v, { 'x-amz-date': '20130525T000000Z' });
    await refusal(verifyRequest(req, depsFor(v, { now: () => new Date('2013-05-25T00:00:00Z') })), 'AuthorizationHeaderMalformed');
  });

  test('no x-amz-content-sha256: InvalidRequest', async () => {
    await refusal(verifyRequest(documentedRequest(v, { 'x-amz-content-sha256': undefined }), depsFor(v)), 'InvalidRequest');
  });

  test('an added unsigned x-amz header: AccessDenied', async () => {
    await refusal(verifyRequest(documentedRequest(v, { 'x-amz-acl': 'public-read' }), depsFor(v)), 'AccessDenied');
  });

  test('the PUT body is checked against the signed hash: XAmzContentSHA256Mismatch when it differs', async () => {
    const put = SINGLE_CHUNK[1]!;
    const { payloadHash } = await verifyRequest(documentedRequest(put), depsFor(put));
    const body = (text: string) => new Response(text).body!.pipeThrough(createPayloadHashVerifier(payloadHash));
    assert.equal(new TextDecoder().decode(await readAll(body(put.request.body!))), 'Welcome to Amazon S3.');
    const err = await refusal(readAll(body('Welcome to Amazon S3!')), 'XAmzContentSHA256Mismatch');
    assert.equal(err.status, 400);
  });
});

describe('S3 presigned URL example', () => {
  const v = PRESIGNED;
  const req = (): GatewayRequest => ({
    method: v.request.method,
    rawPath: v.request.rawPath,
    rawQuery: v.request.rawQuery,
    headers: { ...v.request.headers },
    client: {},
  });

  test('presignUrl produces the documented URL', async () => {
    const url = await presignUrl({ method: 'GET', url: v.url! }, v.credentials, {
      region: v.region,
      service: v.service,
      now: new Date(v.now),
      expiresIn: v.expiresIn!,
    });
    assert.equal(url, v.presignedUrl);
  });

  test('verifyRequest accepts it for exactly its lifetime', async () => {
    const at = (iso: string) => verifyRequest(req(), depsFor(v, { now: () => new Date(iso) }));
    assert.equal((await at('2013-05-24T00:00:00Z')).payloadHash, 'UNSIGNED-PAYLOAD');
    await at('2013-05-25T00:00:00Z');
    const err = await refusal(at('2013-05-25T00:00:01Z'), 'AccessDenied');
    assert.equal(err.message, 'Request has expired');
  });

  test('a wrong signature reports the documented canonical request and string to sign', async () => {
    const tampered = { ...req(), rawQuery: v.request.rawQuery.replace(v.signature, 'f'.repeat(64)) };
    const err = await refusal(verifyRequest(tampered, depsFor(v)), 'SignatureDoesNotMatch');
    assert.equal(err.details.CanonicalRequest, v.canonicalRequest);
    assert.equal(err.details.StringToSign, v.stringToSign);
  });

  test('a longer lifetime than signed: SignatureDoesNotMatch; longer than a week: AuthorizationQueryParametersError', async () => {
    const longer = { ...req(), rawQuery: v.request.rawQuery.replace('X-Amz-Expires=86400', 'X-Amz-Expires=172800') };
    await refusal(verifyRequest(longer, depsFor(v)), 'SignatureDoesNotMatch');
    const tooLong = { ...req(), rawQuery: v.request.rawQuery.replace('X-Amz-Expires=86400', 'X-Amz-Expires=604801') };
    await refusal(verifyRequest(tooLong, depsFor(v)), 'AuthorizationQueryParametersError');
  });
});

/** The chunked body exactly as the page lays it out. */
function chunkedBody(v: Vector, signatures: string[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  v.chunks!.forEach((chunk, i) => {
    parts.push(encoder.encode(`${chunk.size.toString(16)};chunk-signature=${signatures[i]}\r\n`));
    if (chunk.size > 0) parts.push(encoder.encode(chunk.fill.repeat(chunk.size)), encoder.encode('\r\n'));
  });
  if (v.trailer) {
    for (const [name, value] of Object.entries(v.trailer.headers)) parts.push(encoder.encode(`${name}:${value}\r\n`));
    parts.push(encoder.encode(`x-amz-trailer-signature:${v.trailer.signature}\r\n`));
  }
  parts.push(encoder.encode('\r\n'));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

function inPieces(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, (offset += size)));
    },
  });
}

describe('S3 chunked upload examples', () => {
  for (const v of [CHUNKED, TRAILER]) {
    test(`the seed signature verifies and every chunk signature chains from it: ${v.name}`, async () => {
      const verified = await verifyRequest(documentedRequest(v), depsFor(v));
      assert.equal(verified.seedSignature, v.signature);
      let trailers: Record<string, string> | undefined;
      const body = chunkedBody(
        v,
        v.chunks!.map((c) => c.signature),
      );
      if (v === CHUNKED) assert.equal(body.byteLength, Number(v.request.headers['content-length']));
      const decoder = createChunkSignatureDecoder({
        ...verified,
        decodedContentLength: Number(v.request.headers['x-amz-decoded-content-length']),
        onTrailers: (t) => (trailers = t),
      });
      const decoded = await readAll(inPieces(body, 8000).pipeThrough(decoder));
      assert.equal(decoded.byteLength, 66560);
      assert.ok(decoded.every((b) => b === 97));
      assert.deepEqual(trailers, v.trailer?.headers ?? {});
    });
  }

  test('a wrong chunk signature is refused, reporting the documented chunk string to sign', async () => {
    const verified = await verifyRequest(documentedRequest(CHUNKED), depsFor(CHUNKED));
    const signatures = CHUNKED.chunks!.map((c) => c.signature);
    signatures[1] = '0'.repeat(64);
    const err = await refusal(readAll(inPieces(chunkedBody(CHUNKED, signatures), 4096).pipeThrough(createChunkSignatureDecoder(verified))), 'SignatureDoesNotMatch');
    assert.equal(err.details.StringToSign, CHUNKED.chunks![1]!.stringToSign);
  });

  test('a wrong trailer signature is refused', async () => {
    const verified = await verifyRequest(documentedRequest(TRAILER), depsFor(TRAILER));
    const altered = { ...TRAILER, trailer: { ...TRAILER.trailer!, headers: { 'x-amz-checksum-crc32c': 'AAAAAA==' } } };
    const body = chunkedBody(altered, TRAILER.chunks!.map((c) => c.signature));
    await refusal(readAll(inPieces(body, 4096).pipeThrough(createChunkSignatureDecoder(verified))), 'SignatureDoesNotMatch');
  });
});
