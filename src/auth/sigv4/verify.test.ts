/** Inbound verification: accepted requests, and the S3 error for each way a request can be wrong. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GatewayRequest } from '../../core/http.ts';
import { credentialScope } from './canonical.ts';
import { SigV4Error } from './errors.ts';
import { formatAmzDate } from './parse.ts';
import { computeRequestSignature } from './request-signature.ts';
import { deriveSigningKey } from './signing-key.ts';
import { CREDS, deps, headerSigned, HOST, NOW, presigned, rejectsWith } from './test-support.ts';
import { isSigned, verifyRequest } from './verify.ts';

const MINUTE = 60_000;

function withHeaders(req: GatewayRequest, headers: Record<string, string | undefined>): GatewayRequest {
  const next: Record<string, string> = { ...req.headers };
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) delete next[name];
    else next[name] = value;
  }
  return { ...req, headers: next };
}

function editAuthorization(req: GatewayRequest, edit: (value: string) => string): GatewayRequest {
  return withHeaders(req, { authorization: edit(req.headers.authorization!) });
}

describe('verifyRequest: Authorization header', () => {
  test('accepts a correctly signed request and describes it', async () => {
    const req = await headerSigned({ query: 'list-type=2&prefix=a%2Fb' });
    const result = await verifyRequest(req, deps());
    assert.equal(result.method, 'header');
    assert.equal(result.accessKeyId, CREDS.accessKeyId);
    assert.equal(result.region, 'us-east-1');
    assert.equal(result.payloadHash, 'UNSIGNED-PAYLOAD');
    assert.equal(result.scope, '20240301/us-east-1/s3/aws4_request');
    assert.equal(result.amzDate, '20240301T120000Z');
    assert.equal(result.seedSignature, /Signature=([0-9a-f]{64})$/.exec(req.headers.authorization!)![1]!);
    assert.equal(result.signingKey.byteLength, 32);
    assert.equal(result.sessionToken, undefined);
  });

  test('rejects a tampered path, query, method or signed header with SignatureDoesNotMatch', async () => {
    const req = await headerSigned({ query: 'prefix=a', headers: { range: 'bytes=0-9' } });
    const tampered: GatewayRequest[] = [
      { ...req, rawPath: '/other.txt' },
      { ...req, rawQuery: 'prefix=b' },
      { ...req, method: 'DELETE' },
      withHeaders(req, { range: 'bytes=0-99' }),
      withHeaders(req, { host: 'evil.example.com' }),
    ];
    for (const candidate of tampered) await rejectsWith(verifyRequest(candidate, deps()), 'SignatureDoesNotMatch');
  });

  test('a signature mismatch carries what S3 puts in its error body', async () => {
    const req = await headerSigned();
    const err = await rejectsWith(verifyRequest({ ...req, rawPath: '/other.txt' }, deps()), 'SignatureDoesNotMatch');
    assert.equal(err.status, 403);
    assert.equal(err.details.AWSAccessKeyId!, CREDS.accessKeyId);
    assert.match(err.details.CanonicalRequest!, /^GET\n\/other\.txt\n/);
    assert.match(err.details.StringToSign!, /^AWS4-HMAC-SHA256\n20240301T120000Z\n20240301\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/);
    assert.equal(err.details.SignatureProvided!, /Signature=([0-9a-f]{64})$/.exec(req.headers.authorization!)![1]!);
    assert.match(err.details.StringToSignBytes!, /^41 57 53 34 /);
    assert.ok(!JSON.stringify(err.details).includes(CREDS.secretAccessKey));
  });

  test('rejects a signature made with another secret', async () => {
    const req = await headerSigned({ creds: { accessKeyId: CREDS.accessKeyId, secretAccessKey: 'not-the-secret' } });
    await rejectsWith(verifyRequest(req, deps()), 'SignatureDoesNotMatch');
  });

  test('rejects an unknown access key with InvalidAccessKeyId', async () => {
    const req = await headerSigned({ creds: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' } });
    const err = await rejectsWith(verifyRequest(req, deps()), 'InvalidAccessKeyId');
    assert.equal(err.status, 403);
    assert.equal(err.details.AWSAccessKeyId!, 'AKIDUNKNOWN');
  });

  test('allows 15 minutes of clock skew either way, and no more', async () => {
    for (const offset of [-15 * MINUTE, 15 * MINUTE]) {
      await verifyRequest(await headerSigned({ now: new Date(NOW.getTime() + offset) }), deps());
    }
    for (const offset of [-16 * MINUTE, 16 * MINUTE]) {
      const err = await rejectsWith(verifyRequest(await headerSigned({ now: new Date(NOW.getTime() + offset) }), deps()), 'RequestTimeTooSkewed');
      assert.equal(err.status, 403);
      assert.equal(err.details.ServerTime!, '2024-03-01T12:00:00Z');
      assert.equal(err.details.MaxAllowedSkewMilliseconds!, '900000');
    }
  });

  test('rejects a credential date that differs from x-amz-date', async () => {
    const req = editAuthorization(await headerSigned(), (v) => v.replace('/20240301/', '/20240302/'));
    await rejectsWith(verifyRequest(req, deps()), 'AuthorizationHeaderMalformed', /Invalid credential date "20240302"/);
  });

  test('rejects a scope for another service or with another terminator', async () => {
    await rejectsWith(verifyRequest(await headerSigned({ service: 'sts' }), deps()), 'AuthorizationHeaderMalformed', /incorrect service "sts"/);
    const req = editAuthorization(await headerSigned(), (v) => v.replace('/aws4_request', '/aws5_request'));
    await rejectsWith(verifyRequest(req, deps()), 'AuthorizationHeaderMalformed', /incorrect terminal "aws5_request"/);
  });

  test('rejects a region outside the allowed ones, naming the expected region', async () => {
    const req = await headerSigned({ region: 'eu-west-1' });
    const err = await rejectsWith(
      verifyRequest(req, deps({ allowedRegions: ['us-east-1', 'auto'] })),
      'AuthorizationHeaderMalformed',
      /the region 'eu-west-1' is wrong; expecting 'us-east-1'/,
    );
    assert.equal(err.details.Region!, 'us-east-1');
    assert.equal((await verifyRequest(req, deps({ allowedRegions: ['auto', 'eu-west-1'] }))).region, 'eu-west-1');
    assert.equal((await verifyRequest(req, deps())).region, 'eu-west-1');
  });

  test('requires x-amz-content-sha256, with a valid value', async () => {
    const req = await headerSigned();
    await rejectsWith(
      verifyRequest(withHeaders(req, { 'x-amz-content-sha256': undefined }), deps()),
      'InvalidRequest',
      /Missing required header for this request: x-amz-content-sha256/,
    );
    const err = await rejectsWith(verifyRequest(await headerSigned({ payloadHash: 'not-a-hash' }), deps()), 'InvalidArgument');
    assert.equal(err.details.ArgumentName!, 'x-amz-content-sha256');
  });

  test('returns the payload hash the client signed, for the body check', async () => {
    const hash = 'a'.repeat(64);
    assert.equal((await verifyRequest(await headerSigned({ method: 'PUT', payloadHash: hash }), deps())).payloadHash, hash);
    const streaming = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
    assert.equal((await verifyRequest(await headerSigned({ method: 'PUT', payloadHash: streaming }), deps())).payloadHash, streaming);
  });

  test('requires a valid x-amz-date or Date header', async () => {
    const req = await headerSigned();
    await rejectsWith(
      verifyRequest(withHeaders(req, { 'x-amz-date': undefined }), deps()),
      'AccessDenied',
      /requires a valid Date or x-amz-date header/,
    );
    await rejectsWith(verifyRequest(withHeaders(req, { 'x-amz-date': '2024-03-01T12:00:00Z' }), deps()), 'AccessDenied');
  });

  test('takes the request time from the Date header when x-amz-date is absent', async () => {
    const headers = { host: HOST, date: NOW.toUTCString(), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const signedHeaders = ['date', 'host', 'x-amz-content-sha256'];
    const amzDate = formatAmzDate(NOW);
    const scope = credentialScope('20240301', 'us-east-1', 's3');
    const signingKey = await deriveSigningKey(CREDS.secretAccessKey, '20240301', 'us-east-1', 's3');
    const { signature } = await computeRequestSignature(
      { method: 'GET', rawPath: '/k', rawQuery: '', headers, signedHeaders, payloadHash: 'UNSIGNED-PAYLOAD', amzDate, scope, signingKey, presigned: false },
      (await import('./crypto.ts')).webSigV4Crypto,
    );
    const authorization = `AWS4-HMAC-SHA256 Credential=${CREDS.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
    const result = await verifyRequest({ method: 'GET', rawPath: '/k', rawQuery: '', headers: { ...headers, authorization }, client: {} }, deps());
    assert.equal(result.amzDate, '20240301T120000Z');
  });

  test('refuses x-amz-* headers that were not signed, and an unsigned host', async () => {
    const req = withHeaders(await headerSigned(), { 'x-amz-meta-injected': '1', 'x-amz-acl': 'public-read' });
    const err = await rejectsWith(verifyRequest(req, deps()), 'AccessDenied', /headers present in the request which were not signed/);
    assert.equal(err.details.HeadersNotSigned!, 'x-amz-meta-injected, x-amz-acl');
    const noHost = editAuthorization(await headerSigned(), (v) => v.replace('SignedHeaders=host;', 'SignedHeaders='));
    const hostErr = await rejectsWith(verifyRequest(noHost, deps()), 'AccessDenied');
    assert.equal(hostErr.details.HeadersNotSigned!, 'host');
  });

  test('lets configured headers added in transit (e.g. by a CDN) arrive unsigned', async () => {
    const req = withHeaders(await headerSigned(), { 'x-amz-cf-id': 'abc' });
    await rejectsWith(verifyRequest(req, deps()), 'AccessDenied');
    await verifyRequest(req, deps({ allowUnsignedHeaders: ['x-amz-cf-id'] }));
  });

  test('accepts repeated headers that the runtime joined with ", " while the client folded them with ","', async () => {
    const req = await headerSigned({ headers: { 'x-amz-meta-tags': 'a,b' } });
    const result = await verifyRequest(withHeaders(req, { 'x-amz-meta-tags': 'a, b' }), deps());
    assert.equal(result.accessKeyId, CREDS.accessKeyId);
    // A single value containing ", " still verifies as itself.
    const single = await headerSigned({ headers: { 'x-amz-meta-note': 'one, two' } });
    await verifyRequest(single, deps());
  });

  test('passes the session token to the secret lookup and returns it', async () => {
    const seen: Array<string | undefined> = [];
    const req = await headerSigned({ creds: { ...CREDS, sessionToken: 'token/+=' } });
    const result = await verifyRequest(
      req,
      deps({
        async lookupSecret(id, context) {
          seen.push(context.sessionToken);
          return id === CREDS.accessKeyId ? { secretAccessKey: CREDS.secretAccessKey } : null;
        },
      }),
    );
    assert.equal(result.sessionToken, 'token/+=');
    assert.deepEqual(seen, ['token/+=']);
  });

  test('lets the secret lookup refuse with its own SigV4Error', async () => {
    const refusal = new SigV4Error('InvalidAccessKeyId', 'revoked');
    const err = await rejectsWith(verifyRequest(await headerSigned(), deps({ lookupSecret: async () => Promise.reject(refusal) })), 'InvalidAccessKeyId');
    assert.equal(err, refusal);
  });

  test('refuses a request that uses both the header and the query', async () => {
    const req = await headerSigned({ query: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' });
    await rejectsWith(verifyRequest(req, deps()), 'InvalidArgument', /Only one auth mechanism allowed/);
  });

  test('refuses Signature Version 2 in either form, and an unsigned request', async () => {
    const base = { method: 'GET', rawPath: '/k', client: {} };
    await rejectsWith(
      verifyRequest({ ...base, rawQuery: '', headers: { host: HOST, authorization: 'AWS AKID:c2lnbmF0dXJl' } }, deps()),
      'InvalidRequest',
    );
    await rejectsWith(
      verifyRequest({ ...base, rawQuery: 'AWSAccessKeyId=AKID&Expires=1&Signature=x', headers: { host: HOST } }, deps()),
      'InvalidRequest',
    );
    await rejectsWith(verifyRequest({ ...base, rawQuery: '', headers: { host: HOST } }, deps()), 'AccessDenied');
  });
});

describe('verifyRequest: presigned URLs', () => {
  test('accepts a presigned URL within its lifetime', async () => {
    const req = await presigned({ expiresIn: 600, query: 'versionId=3' });
    const result = await verifyRequest(req, deps({ now: () => new Date(NOW.getTime() + 9 * MINUTE) }));
    assert.equal(result.method, 'presigned');
    assert.equal(result.payloadHash, 'UNSIGNED-PAYLOAD');
    assert.equal(result.expiresAt?.toISOString(), '2024-03-01T12:10:00.000Z');
    assert.equal(result.seedSignature, /X-Amz-Signature=([0-9a-f]{64})$/.exec(req.rawQuery)![1]);
  });

  test('refuses an expired URL with the details S3 gives', async () => {
    const req = await presigned({ expiresIn: 600 });
    const err = await rejectsWith(verifyRequest(req, deps({ now: () => new Date(NOW.getTime() + 11 * MINUTE) })), 'AccessDenied', /^Request has expired$/);
    assert.equal(err.status, 403);
    assert.deepEqual(err.details, { 'X-Amz-Expires': '600', Expires: '2024-03-01T12:10:00Z', ServerTime: '2024-03-01T12:11:00Z' });
  });

  test('refuses a URL dated in the future beyond the allowed skew', async () => {
    const req = await presigned({ now: new Date(NOW.getTime() + 20 * MINUTE) });
    await rejectsWith(verifyRequest(req, deps()), 'AccessDenied', /^Request is not valid yet$/);
    await verifyRequest(await presigned({ now: new Date(NOW.getTime() + 5 * MINUTE) }), deps());
  });

  test('rejects an edited parameter, path or signed header', async () => {
    const req = await presigned({ headers: { 'x-amz-meta-a': '1' } });
    for (const candidate of [
      { ...req, rawQuery: req.rawQuery.replace('X-Amz-Expires=3600', 'X-Amz-Expires=7200') },
      { ...req, rawQuery: `${req.rawQuery}&versionId=1` },
      { ...req, rawPath: '/other.txt' },
      { ...req, method: 'PUT' },
      withHeaders(req, { 'x-amz-meta-a': '2' }),
    ]) {
      await rejectsWith(verifyRequest(candidate, deps()), 'SignatureDoesNotMatch');
    }
  });

  test('refuses x-amz-* headers that the URL did not sign', async () => {
    const req = withHeaders(await presigned({ method: 'PUT' }), { 'x-amz-acl': 'public-read' });
    await rejectsWith(verifyRequest(req, deps()), 'AccessDenied', /not signed/);
    // A payload hash header is harmless and commonly sent along.
    await verifyRequest(withHeaders(await presigned({ method: 'PUT' }), { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }), deps());
  });

  test('checks the scope with AuthorizationQueryParametersError', async () => {
    await rejectsWith(
      verifyRequest(await presigned({ region: 'eu-west-1' }), deps({ allowedRegions: ['us-east-1'] })),
      'AuthorizationQueryParametersError',
      /Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'/,
    );
    await rejectsWith(verifyRequest(await presigned({ service: 'sts' }), deps()), 'AuthorizationQueryParametersError', /incorrect service/);
    const req = await presigned();
    const wrongDate = { ...req, rawQuery: req.rawQuery.replace('X-Amz-Date=20240301T120000Z', 'X-Amz-Date=20240302T120000Z') };
    await rejectsWith(verifyRequest(wrongDate, deps()), 'AuthorizationQueryParametersError', /Invalid credential date/);
  });

  test('rejects an unknown key and a wrong secret', async () => {
    await rejectsWith(verifyRequest(await presigned({ creds: { accessKeyId: 'NOPE', secretAccessKey: 'x' } }), deps()), 'InvalidAccessKeyId');
    await rejectsWith(
      verifyRequest(await presigned({ creds: { accessKeyId: CREDS.accessKeyId, secretAccessKey: 'x' } }), deps()),
      'SignatureDoesNotMatch',
    );
  });

  test('carries the session token and a signed payload hash', async () => {
    const hash = 'b'.repeat(64);
    const req = await presigned({ method: 'PUT', creds: { ...CREDS, sessionToken: 'tok' }, payloadHash: hash });
    const result = await verifyRequest(req, deps());
    assert.equal(result.sessionToken, 'tok');
    assert.equal(result.payloadHash, hash);
  });
});

describe('isSigned', () => {
  test('recognises header, presigned and Signature Version 2 credentials', async () => {
    assert.equal(isSigned(await headerSigned()), true);
    assert.equal(isSigned(await presigned()), true);
    assert.equal(isSigned({ headers: {}, rawQuery: 'AWSAccessKeyId=A&Signature=s&Expires=1' }), true);
    assert.equal(isSigned({ headers: {}, rawQuery: 'X-Amz-Signature=abc' }), true);
    assert.equal(isSigned({ headers: {}, rawQuery: 'X%2DAmz%2DCredential=abc' }), true);
  });

  test('is false for anonymous requests, whatever their query', () => {
    assert.equal(isSigned({ headers: { host: HOST }, rawQuery: '' }), false);
    assert.equal(isSigned({ headers: {}, rawQuery: 'list-type=2&prefix=X-Amz-' }), false);
    assert.equal(isSigned({ headers: {}, rawQuery: 'x-amz-signature=lowercase-is-not-a-parameter' }), false);
  });
});
