/**
 * boto3 writing through a running Sluice (fs connection): put_object with
 * metadata, storage class, tags and a CRC32 checksum read back with
 * ChecksumMode; copy_object; conditional puts; delete_objects. The checks are
 * in `boto3_write_checks.py`, which prints one JSON result.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type InteropGateway, WRITABLE_BUCKET, startInteropGateway, interopBackends } from './gateway-fixture.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./boto3_write_checks.py', import.meta.url));

for (const kind of interopBackends()) describe(`boto3 writes over ${kind}`, () => {
  let gateway: InteropGateway;
  let results: Record<string, Record<string, unknown>>;

  before(async () => {
    gateway = await startInteropGateway(kind);
    const { stdout } = await run('/usr/bin/python3', [SCRIPT], {
      env: {
        PATH: process.env.PATH,
        SLUICE_URL: gateway.url,
        SLUICE_KEY_ID: gateway.accessKeyId,
        SLUICE_SECRET: gateway.secretAccessKey,
        SLUICE_BUCKET: WRITABLE_BUCKET,
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    results = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
  });
  after(() => gateway?.stop());

  test('put_object stores metadata, storage class, tags and the checksum, all read back', () => {
    const r = results.put_and_read_back!;
    assert.match(String(r.put_crc32), /^[A-Za-z0-9+/]{6}==$/);
    assert.equal(r.head_crc32, r.put_crc32);
    assert.equal(r.get_crc32, r.put_crc32);
    assert.equal(r.body, 'a,b\n1,2\n');
    assert.equal(r.content_type, 'text/csv');
    assert.deepEqual(r.metadata, { owner: 'team-a' });
    assert.equal(r.storage_class, 'STANDARD_IA');
    assert.equal(r.tag_count, 1);
  });

  test('copy_object copies bytes and metadata', () => {
    assert.deepEqual(results.copy_object, { etag_matches: true, metadata: { owner: 'team-a' } });
  });

  test('conditional puts: 412 when the precondition fails, success when it holds', () => {
    assert.deepEqual(results.conditional, { create_again: ['PreconditionFailed', 412], stale_if_match: ['PreconditionFailed', 412], matching_if_match: null });
  });

  test('delete_objects deletes every listed key, missing ones included', () => {
    assert.deepEqual(results.delete_objects, { deleted: ['boto/copy.csv', 'boto/never', 'boto/report.csv'], errors: [], remaining: 0 });
  });
});
