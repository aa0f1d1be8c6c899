/**
 * Listings never show more than the caller may list: in path-mapped mode an
 * account listed as one bucket descends only into products the caller may
 * list at the requested depth, whether the limit comes from the account's
 * prefix grants or from the key's ceiling.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import { bytesBody } from '../../src/core/body.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { signedClient } from '../support/s3-client.ts';

const GRANTED: AccessKeyConfig = {
  accessKeyId: 'SLAKGRANTEDAAAAAAAAA',
  secretAccessKey: 'secret-of-granted-0123456789abcdefghij',
  account: 'research',
  label: 'prefix grant',
  status: 'active',
};
const CEILINGED: AccessKeyConfig = {
  accessKeyId: 'SLAKCEILINGAAAAAAAAA',
  secretAccessKey: 'secret-of-ceiling-0123456789abcdefghij',
  account: 'owners',
  label: 'prefix ceiling',
  status: 'active',
  ceiling: [{ bucket: 'acme/climate', actions: ['read'], prefixes: ['data'] }],
};

async function denied(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof S3ServiceException && error.name === 'AccessDenied' && error.$metadata.httpStatusCode === 403);
}

const keysOf = (listed: { Contents?: { Key?: string }[] }) => (listed.Contents ?? []).map((o) => o.Key);

describe('path-mapped listings are confined to what the caller may list', () => {
  let server: RunningServer;
  const clients: S3Client[] = [];

  before(async () => {
    const backend = new MemoryBackend({ readOnly: false });
    await backend.put('c/data/2024.csv', bytesBody('public-ish'), { metadata: {} });
    await backend.put('c/secret/plan.txt', bytesBody('secret'), { metadata: {} });
    await backend.put('w/weather.csv', bytesBody('weather'), { metadata: {} });
    const config = testConfig({
      server: { addressing: 'path-mapped' },
      buckets: [
        bucket('climate', { account: 'acme', prefix: 'c/', public: false }),
        bucket('weather', { account: 'acme', prefix: 'w/', public: false }),
      ],
    });
    config.accounts = [
      { name: 'research', grants: [{ bucket: 'acme/climate', actions: ['read'], prefixes: ['data'] }] },
      { name: 'owners', grants: [{ bucket: 'acme/climate', actions: ['read'] }, { bucket: 'acme/weather', actions: ['read'] }] },
    ];
    config.accessKeys = [GRANTED, CEILINGED];
    server = await startServer(config, { backends: new Map([['main', backend]]) });
    for (const key of [GRANTED, CEILINGED]) clients.push(signedClient(server.url, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }));
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await server.close();
  });

  for (const [index, source] of [[0, 'a prefix grant'], [1, 'a key ceiling']] as const) {
    describe(`limited by ${source}`, () => {
      const s3 = () => clients[index]!;

      test('objects outside the prefix are refused', async () => {
        await denied(s3().send(new GetObjectCommand({ Bucket: 'acme', Key: 'climate/secret/plan.txt' })));
        const got = await s3().send(new GetObjectCommand({ Bucket: 'acme', Key: 'climate/data/2024.csv' }));
        assert.equal(await got.Body!.transformToString(), 'public-ish');
      });

      test('listing the whole account shows nothing outside the prefix', async () => {
        const listed = await s3().send(new ListObjectsV2Command({ Bucket: 'acme' }));
        assert.ok(!keysOf(listed).some((key) => key?.startsWith('climate/secret')), `listed ${keysOf(listed).join(', ')}`);
        assert.ok(!keysOf(listed).includes('weather/weather.csv'), 'a product without a grant is not listed');
      });

      test('with a delimiter the visible product still appears as a folder', async () => {
        const listed = await s3().send(new ListObjectsV2Command({ Bucket: 'acme', Delimiter: '/' }));
        assert.deepEqual(listed.CommonPrefixes?.map((p) => p.Prefix), ['climate/']);
      });

      test('listing inside the product outside the prefix is refused, inside it works', async () => {
        await denied(s3().send(new ListObjectsV2Command({ Bucket: 'acme', Prefix: 'climate/secret/' })));
        await denied(s3().send(new ListObjectsV2Command({ Bucket: 'acme', Prefix: 'climate/' })));
        const listed = await s3().send(new ListObjectsV2Command({ Bucket: 'acme', Prefix: 'climate/data/' }));
        assert.deepEqual(keysOf(listed), ['climate/data/2024.csv']);
      });
    });
  }
});
