/** Outbound signing and presigning, checked by round trips through verification. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { presignUrl, signRequest } from './sign-request.ts';
import { CREDS, deps, fromUrl, NOW } from './test-support.ts';
import { verifyRequest } from './verify.ts';

const OPTS = { region: 'us-east-1', service: 's3', now: NOW };

describe('signRequest', () => {
  test('returns the caller headers, lower-cased, plus the signing headers', async () => {
    const headers = await signRequest(
      { method: 'PUT', url: 'https://bucket.example.com/k', headers: { 'Content-Type': 'text/plain', 'X-Amz-Meta-A': '1' } },
      CREDS,
      OPTS,
    );
    assert.deepEqual(Object.keys(headers).sort(), ['authorization', 'content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-meta-a']);
    assert.equal(headers.host, 'bucket.example.com');
    assert.equal(headers['x-amz-date'], '20240301T120000Z');
    assert.equal(headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
    assert.match(
      headers.authorization!,
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240301\/us-east-1\/s3\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-a, Signature=[0-9a-f]{64}$/,
    );
  });

  test('adds and signs the session token', async () => {
    const headers = await signRequest({ method: 'GET', url: 'https://h/k', headers: {} }, { ...CREDS, sessionToken: 'tok' }, OPTS);
    assert.equal(headers['x-amz-security-token'], 'tok');
    assert.match(headers.authorization!, /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,/);
  });

  test('leaves hop-by-hop and agent headers unsigned', async () => {
    const headers = await signRequest(
      { method: 'GET', url: 'https://h/k', headers: { 'User-Agent': 'x', Connection: 'keep-alive', 'Transfer-Encoding': 'chunked' } },
      CREDS,
      OPTS,
    );
    assert.match(headers.authorization!, /SignedHeaders=host;x-amz-content-sha256;x-amz-date,/);
  });

  test('keeps a non-default port in host and drops a default one', async () => {
    assert.equal((await signRequest({ method: 'GET', url: 'http://127.0.0.1:9000/b/k', headers: {} }, CREDS, OPTS)).host, '127.0.0.1:9000');
    assert.equal((await signRequest({ method: 'GET', url: 'https://s3.example.com:443/b', headers: {} }, CREDS, OPTS)).host, 's3.example.com');
    assert.equal((await signRequest({ method: 'GET', url: 'http://s3.example.com:80/b', headers: {} }, CREDS, OPTS)).host, 's3.example.com');
  });

  test('replaces a stale authorization header rather than signing it', async () => {
    const headers = await signRequest({ method: 'GET', url: 'https://h/k', headers: { Authorization: 'old' } }, CREDS, OPTS);
    assert.notEqual(headers.authorization!, 'old');
    assert.doesNotMatch(headers.authorization!, /SignedHeaders=authorization/);
  });

  test('signs a path with dot segments and escapes as sent, and the gateway verifies it', async () => {
    const url = 'https://h/b/../a%20b/./c*?prefix=x%2By&list-type=2';
    const headers = await signRequest({ method: 'GET', url, headers: {} }, CREDS, OPTS);
    const req = fromUrl('GET', url, headers);
    assert.equal(req.rawPath, '/b/../a%20b/./c*');
    await verifyRequest(req, deps());
  });

  test('refuses a URL that is not absolute', async () => {
    await assert.rejects(signRequest({ method: 'GET', url: '/relative', headers: {} }, CREDS, OPTS), TypeError);
  });
});

describe('presignUrl', () => {
  test('appends the X-Amz parameters after the existing query, signature last', async () => {
    const url = await presignUrl({ method: 'GET', url: 'https://h/k?versionId=1' }, CREDS, { ...OPTS, expiresIn: 60 });
    assert.match(
      url,
      /^https:\/\/h\/k\?versionId=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20240301%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240301T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=[0-9a-f]{64}$/,
    );
  });

  test('signs the given headers and carries a session token', async () => {
    const url = await presignUrl(
      { method: 'PUT', url: 'https://h/k', headers: { 'Content-Type': 'image/png' } },
      { ...CREDS, sessionToken: 'a/b+c' },
      { ...OPTS, expiresIn: 60 },
    );
    assert.match(url, /X-Amz-SignedHeaders=content-type%3Bhost&X-Amz-Security-Token=a%2Fb%2Bc&/);
    await verifyRequest(fromUrl('PUT', url, { host: 'h', 'content-type': 'image/png' }), deps());
  });

  test('bounds the lifetime to 1 second … 7 days', async () => {
    for (const expiresIn of [0, 604801, 1.5, Number.NaN]) {
      await assert.rejects(presignUrl({ method: 'GET', url: 'https://h/k' }, CREDS, { ...OPTS, expiresIn }), TypeError);
    }
  });
});
