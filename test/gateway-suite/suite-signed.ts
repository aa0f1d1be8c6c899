/**
 * Suite: signed access. SigV4 header signatures and presigned URLs (made with
 * the gateway's own signer) reach restricted buckets by grant, and are refused
 * with S3's codes when the secret, the key, the URL or the time is wrong.
 */
import assert from 'node:assert/strict';
import { type SuiteRegistry, WRITER, assertS3Error, presigned, signed, xmlValue } from './suite-support.ts';

const CONTENT = 'year,temp\n2024,15.1\n';

export function registerSignedTests({ test }: SuiteRegistry): void {
  test('a SigV4-signed GetObject reads a restricted bucket the key\'s account is granted', async (context) => {
    await context.seed('restricted', 'data/2024.csv', CONTENT, { contentType: 'text/csv' });
    const got = await context.gateway.send(await signed(context.gateway, { target: '/restricted/data/2024.csv' }));
    assert.equal(got.status, 200, got.text());
    assert.equal(got.text(), CONTENT);
    assert.equal(got.headers['content-type'], 'text/csv');
    const listed = await context.gateway.send(await signed(context.gateway, { target: '/restricted?list-type=2&prefix=data%2F' }));
    assert.equal(listed.status, 200, listed.text());
    assert.equal(xmlValue(listed.text(), 'Key'), 'data/2024.csv');
  });

  test('a wrong secret is 403 SignatureDoesNotMatch and an unknown key 403 InvalidAccessKeyId', async (context) => {
    await context.seed('open-data', 'k.txt', 'value');
    const wrongSecret = await signed(context.gateway, { target: '/open-data/k.txt' }, { secret: 'not-the-secret' });
    assertS3Error(await context.gateway.send(wrongSecret), 403, 'SignatureDoesNotMatch');
    const unknown = await signed(context.gateway, { target: '/open-data/k.txt' }, { key: { ...WRITER, accessKeyId: 'SLAKUNKNOWNKEYAAAAAA' } });
    assertS3Error(await context.gateway.send(unknown), 403, 'InvalidAccessKeyId');
  });

  test('signed requests may override response headers with response-* parameters', async (context) => {
    await context.seed('restricted', 'data/2024.csv', CONTENT, { contentType: 'text/csv' });
    const target = '/restricted/data/2024.csv?response-content-type=application%2Fjson&response-content-disposition=attachment%3B%20filename%3D%22t.csv%22';
    const got = await context.gateway.send(await signed(context.gateway, { target }));
    assert.equal(got.status, 200, got.text());
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['content-disposition'], 'attachment; filename="t.csv"');
  });

  test('a presigned URL reads the object with no headers of its own', async (context) => {
    await context.seed('restricted', 'data/2024.csv', CONTENT);
    const got = await context.gateway.send(await presigned(context.gateway, '/restricted/data/2024.csv'));
    assert.equal(got.status, 200, got.text());
    assert.equal(got.text(), CONTENT);
  });

  test('an expired presigned URL is 403 AccessDenied "Request has expired"', async (context) => {
    await context.seed('restricted', 'data/2024.csv', CONTENT);
    // Signed an hour ago, valid for a minute: expired without waiting for anything.
    const expired = await presigned(context.gateway, '/restricted/data/2024.csv', { expiresIn: 60, now: new Date(Date.now() - 3_600_000) });
    const xml = assertS3Error(await context.gateway.send(expired), 403, 'AccessDenied');
    assert.match(xmlValue(xml, 'Message') ?? '', /Request has expired/);
  });

  test('a presigned URL for one key does not open another: 403 SignatureDoesNotMatch', async (context) => {
    await context.seed('restricted', 'data/2024.csv', CONTENT);
    await context.seed('restricted', 'data/2025.csv', 'other');
    const url = await presigned(context.gateway, '/restricted/data/2024.csv');
    const tampered = { target: url.target.replace('2024.csv', '2025.csv') };
    const xml = assertS3Error(await context.gateway.send(tampered), 403, 'SignatureDoesNotMatch');
    assert.match(xmlValue(xml, 'CanonicalRequest') ?? '', /^GET\n\/restricted\/data\/2025\.csv\n/);
  });
}
