/**
 * Conditional writes across processes: two `sluice serve` children share one
 * fs root, and 50 clients — half sent to each process — race to create one
 * key with `If-None-Match: *`, then to replace it with one `If-Match`.
 * Exactly one wins each race: the check and the rename are atomic across
 * processes, not only within one.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { signedClient } from '../support/s3-client.ts';
import { serveCli } from './run-cli.ts';

const KEY = { accessKeyId: 'SLAKRACERSAAAAAAAAAA', secretAccessKey: 'secret-of-the-racers-0123456789abcdef' };
const WRITERS = 50;

describe('conditional writes from two sluice processes on one fs root', () => {
  let dir: string;
  const servers: { url: string; stop(): Promise<void> }[] = [];
  const clients: S3Client[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-two-processes-'));
    await mkdir(join(dir, 'data'));
    const configPath = join(dir, 'sluice.yaml');
    await writeFile(configPath, `
server:
  accessLog: false
connections:
  disk:
    type: fs
    root: data
buckets:
  shared:
    connection: disk
accounts:
  writers:
    grants:
      - bucket: shared
        actions: [read, write]
accessKeys:
  ${KEY.accessKeyId}:
    secret: ${KEY.secretAccessKey}
    account: writers
`);
    servers.push(...(await Promise.all([serveCli(configPath), serveCli(configPath)])));
    clients.push(...servers.map((server) => signedClient(server.url, KEY)));
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await Promise.all(servers.map((server) => server.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  async function race(conditions: { IfNoneMatch?: string; IfMatch?: string }): Promise<number[]> {
    const outcomes = await Promise.allSettled(Array.from({ length: WRITERS }, (_, i) =>
      clients[i % 2]!.send(new PutObjectCommand({ Bucket: 'shared', Key: 'raced/key.txt', Body: `writer ${i}`, ...conditions }))));
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        const name = (outcome.reason as Error).name;
        assert.ok(name === 'PreconditionFailed' || name === 'ConditionalRequestConflict', `a loser fails with 412 or 409, not ${String(outcome.reason)}`);
      }
    }
    return outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []));
  }

  const stored = async (client: S3Client) => (await client.send(new GetObjectCommand({ Bucket: 'shared', Key: 'raced/key.txt' }))).Body!.transformToString();

  test(`of ${WRITERS} If-None-Match: * writers on two processes exactly one creates the key`, async () => {
    const winners = await race({ IfNoneMatch: '*' });
    assert.equal(winners.length, 1, `exactly one winner, got ${winners.length}`);
    assert.equal(await stored(clients[0]!), `writer ${winners[0]}`);
    assert.equal(await stored(clients[1]!), `writer ${winners[0]}`, 'both processes serve the winner');
  });

  test(`of ${WRITERS} writers with the same If-Match on two processes exactly one replaces the key`, async () => {
    const { ETag } = await clients[0]!.send(new PutObjectCommand({ Bucket: 'shared', Key: 'raced/key.txt', Body: 'base' }));
    const winners = await race({ IfMatch: ETag });
    assert.equal(winners.length, 1, `exactly one winner, got ${winners.length}`);
    assert.equal(await stored(clients[1]!), `writer ${winners[0]}`);
  });
});
