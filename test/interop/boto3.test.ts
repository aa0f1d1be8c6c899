/**
 * boto3 (Debian's `python3-boto3`) against a running Sluice with an access
 * key created by `sluice keys create`. The checks themselves are in
 * `boto3_checks.py`, which prints one JSON result per check.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type InteropGateway, PAGED_KEYS, startInteropGateway, interopBackends } from './gateway-fixture.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./boto3_checks.py', import.meta.url));

for (const kind of interopBackends()) describe(`boto3 over ${kind}`, () => {
  let gateway: InteropGateway;
  let results: Record<string, unknown>;

  before(async () => {
    gateway = await startInteropGateway(kind);
    const { stdout } = await run('/usr/bin/python3', [SCRIPT], {
      env: {
        PATH: process.env.PATH,
        SLUICE_URL: gateway.url,
        SLUICE_KEY_ID: gateway.accessKeyId,
        SLUICE_SECRET: gateway.secretAccessKey,
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    results = JSON.parse(stdout) as Record<string, unknown>;
  });
  after(() => gateway?.stop());

  test('put_object, get_object and delete_object on the writable bucket', () => {
    assert.deepEqual(results.put_then_get, {
      body: 'hello from boto3',
      content_type: 'text/plain',
      metadata: { origin: 'boto3' },
      etag: '"' + createHash('md5').update('hello from boto3').digest('hex') + '"',
    });
    assert.deepEqual(results.deleted, ['404', 404]);
  });

  test('get_object returns the object', () => {
    assert.equal(results.get_object, gateway.objects['data/measurements.csv']);
  });

  test('head_object reports length and ETag', () => {
    const head = results.head_object as { ContentLength: number; ETag: string };
    assert.equal(head.ContentLength, gateway.objects['readme.txt']!.length);
    assert.match(head.ETag, /^"[0-9a-f]{32}"$/);
  });

  test('get_object with Range', () => {
    assert.deepEqual(results.range, { body: gateway.objects['readme.txt']!.slice(5, 15), content_range: `bytes 5-14/${gateway.objects['readme.txt']!.length}` });
  });

  test('list_objects_v2 paginator with PageSize', () => {
    const listing = results.paginated as { pages: number; keys: string[] };
    assert.equal(listing.keys.length, PAGED_KEYS);
    assert.equal(listing.pages, Math.ceil(PAGED_KEYS / 7));
  });

  test('download_file (s3transfer) writes the object', () => {
    assert.equal(results.download_file, gateway.objects['data/measurements.csv']);
  });

  test('a presigned URL works with a plain HTTP client', () => {
    assert.equal(results.presigned, gateway.objects['readme.txt']);
  });

  test('errors: wrong secret, unknown key, expired presigned URL, tampered signature', () => {
    assert.deepEqual(results.errors, {
      wrong_secret: ['SignatureDoesNotMatch', 403],
      unknown_key: ['InvalidAccessKeyId', 403],
      expired_presigned: ['AccessDenied', 403, true],
      tampered_presigned: ['SignatureDoesNotMatch', 403],
    });
  });
});
