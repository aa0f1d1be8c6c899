/**
 * CreateBucket and DeleteBucket through the Node server, on an `fs`
 * connection with the SQLite policy store: who may create, where buckets
 * land on disk, S3's answers for names already taken or malformed, the
 * emptiness rule on delete, caches that see each change at once, and
 * buckets that survive a restart.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand, ListMultipartUploadsCommand, UploadPartCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, ListBucketsCommand,
  PutObjectCommand, type S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import { signRequest } from '../../src/auth/sigv4/index.ts';
import type { AccessKeyConfig, SluiceConfig } from '../../src/core/config.ts';
import { SqlitePolicyStore } from '../../src/policy/sqlite/sqlite-store.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { anonymousClient, signedClient } from '../support/s3-client.ts';

const key = (account: string, id: string): AccessKeyConfig => ({
  accessKeyId: id, secretAccessKey: `secret-of-${account}-0123456789abcdef`, account, label: account, status: 'active',
});
const ALICE = key('alice', 'SLAKALICEAAAAAAAAAAA');
const BOB = key('bobby', 'SLAKBOBBYAAAAAAAAAAA');
const masterKey = new Uint8Array(32).fill(7);

/** Rejects with the S3 error `code` (null for HEAD, whose answers have no body) and `status`. */
async function refused(promise: Promise<unknown>, code: string | null, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, String(error));
    if (code !== null) assert.equal(error.name, code);
    assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });
}

describe('CreateBucket and DeleteBucket on fs with the SQLite store', () => {
  let dir: string;
  let data: string;
  let config: SluiceConfig;
  let server: RunningServer;
  let carolKey: { accessKeyId: string; secretAccessKey: string };
  const clients: S3Client[] = [];
  const client = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
    const s3 = signedClient(server.url, credentials);
    clients.push(s3);
    return s3;
  };
  const start = async () => {
    server = await startServer(config, { log: { write() {} } });
  };
  const stop = async () => {
    for (const s3 of clients.splice(0)) s3.destroy();
    await server.close();
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-buckets-'));
    data = join(dir, 'data');
    const sqlitePath = join(dir, 'policy.db');
    // carol is an account of the store, allowed to create buckets with `sluice accounts set`'s store call.
    const seed = await SqlitePolicyStore.open(sqlitePath, { masterKey });
    await seed.setBucketCreation('carol', { connection: 'data', prefix: 'tenants/{account}/{bucket}/' });
    const created = await seed.createAccessKey({ account: 'carol', label: 'carol' });
    carolKey = { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
    await seed.close();
    config = testConfig({
      connections: { data: { type: 'fs', name: 'data', readOnly: false, root: data } as SluiceConfig['connections'][string] },
      buckets: [
        bucket('declared', { connection: 'data', prefix: 'declared/', public: false, account: 'alice' }),
        bucket('archive-all', { connection: 'data', prefix: 'archive/', public: false }),
      ],
      accounts: [
        { name: 'alice', grants: [], createBuckets: { connection: 'data', prefix: '{bucket}/' } },
        { name: 'bobby', grants: [] },
      ],
      accessKeys: [ALICE, BOB],
      // A long TTL: only in-process invalidation can make changes show at once.
      policy: { sqlitePath, masterKey: btoa(String.fromCharCode(...masterKey)), cacheTtlSeconds: 60 },
    });
    await start();
  });

  after(async () => {
    await stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('an account allowed to create buckets gets one, with its folder, visible at once despite cached misses', async () => {
    const alice = client(ALICE);
    await refused(alice.send(new HeadBucketCommand({ Bucket: 'photos' })), null, 403);
    const created = await alice.send(new CreateBucketCommand({ Bucket: 'photos' }));
    assert.equal(created.Location, '/photos');
    assert.ok(existsSync(join(data, 'photos')));
    await alice.send(new HeadBucketCommand({ Bucket: 'photos' }));
    const listed = await alice.send(new ListBucketsCommand({}));
    assert.ok(listed.Buckets!.some((b) => b.Name === 'photos'));
    await alice.send(new PutObjectCommand({ Bucket: 'photos', Key: 'a/b.txt', Body: 'hello' }));
    assert.ok(existsSync(join(data, 'photos', 'a', 'b.txt')));
  });

  test('names already taken: BucketAlreadyOwnedByYou for the owner, BucketAlreadyExists for others and declared buckets', async () => {
    await refused(client(ALICE).send(new CreateBucketCommand({ Bucket: 'photos' })), 'BucketAlreadyOwnedByYou', 409);
    await refused(client(carolKey).send(new CreateBucketCommand({ Bucket: 'photos' })), 'BucketAlreadyExists', 409);
    await refused(client(ALICE).send(new CreateBucketCommand({ Bucket: 'declared' })), 'BucketAlreadyExists', 409);
  });

  test('a name whose place overlaps another bucket, holds files, or is a file is refused, leaving nothing claimed', async () => {
    const alice = client(ALICE);
    // "archive/" is the declared bucket archive-all's place.
    await refused(alice.send(new CreateBucketCommand({ Bucket: 'archive' })), 'BucketAlreadyExists', 409);
    await mkdir(join(data, 'leftover'));
    await writeFile(join(data, 'leftover', 'old.txt'), 'not yours');
    await refused(alice.send(new CreateBucketCommand({ Bucket: 'leftover' })), 'BucketAlreadyExists', 409);
    await writeFile(join(data, 'blocked'), 'a file where the folder would go');
    await refused(alice.send(new CreateBucketCommand({ Bucket: 'blocked' })), 'BucketAlreadyExists', 409);
    for (const name of ['archive', 'leftover', 'blocked']) await refused(alice.send(new HeadBucketCommand({ Bucket: name })), null, 403);
    await rm(join(data, 'blocked'));
    await alice.send(new CreateBucketCommand({ Bucket: 'blocked' }));
    await alice.send(new DeleteBucketCommand({ Bucket: 'blocked' }));
  });

  test('accounts without bucket creation and anonymous callers are refused; other accounts do not see the bucket', async () => {
    await refused(client(BOB).send(new CreateBucketCommand({ Bucket: 'bobs-bucket' })), 'AccessDenied', 403);
    const anonymous = anonymousClient(server.url);
    clients.push(anonymous);
    await refused(anonymous.send(new CreateBucketCommand({ Bucket: 'anon-bucket' })), 'AccessDenied', 403);
    assert.ok(!existsSync(join(data, 'bobs-bucket')) && !existsSync(join(data, 'anon-bucket')));
    const listed = await client(BOB).send(new ListBucketsCommand({}));
    assert.deepEqual(listed.Buckets ?? [], []);
    await refused(client(BOB).send(new GetObjectCommand({ Bucket: 'photos', Key: 'a/b.txt' })), 'AccessDenied', 403);
  });

  test('a store-held account creates buckets under its own template', async () => {
    await client(carolKey).send(new CreateBucketCommand({ Bucket: 'carols' }));
    assert.ok(existsSync(join(data, 'tenants', 'carol', 'carols')));
    await client(carolKey).send(new PutObjectCommand({ Bucket: 'carols', Key: 'kept.txt', Body: 'kept' }));
  });

  test('S3\'s request rules: InvalidBucketName, location constraints, MalformedXML', async () => {
    const put = async (path: string, body: string) => {
      const url = `${server.url}${path}`;
      const signed = await signRequest({ method: 'PUT', url, headers: {} }, ALICE, { region: 'us-east-1', service: 's3' });
      const response = await fetch(url, { method: 'PUT', headers: signed, body });
      return { status: response.status, text: await response.text() };
    };
    for (const bad of ['Upper-Case', 'ab', 'under_score', '192.168.0.1']) {
      const answer = await put(`/${bad}`, '');
      assert.equal(answer.status, 400, bad);
      assert.match(answer.text, /<Code>InvalidBucketName<\/Code>/, bad);
    }
    const malformed = await put('/fresh-name', '<CreateBucketConfiguration><LocationConstraint>');
    assert.equal(malformed.status, 400);
    assert.match(malformed.text, /<Code>MalformedXML<\/Code>/);
    await refused(client(ALICE).send(new CreateBucketCommand({ Bucket: 'fresh-name', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })),
      'IllegalLocationConstraintException', 400);
    assert.ok(!existsSync(join(data, 'fresh-name')));
  });

  test('DeleteBucket: BucketNotEmpty while objects remain, 204 once empty (the folder goes), then NoSuchBucket', async () => {
    const alice = client(ALICE);
    await refused(alice.send(new DeleteBucketCommand({ Bucket: 'photos' })), 'BucketNotEmpty', 409);
    await alice.send(new DeleteObjectCommand({ Bucket: 'photos', Key: 'a/b.txt' }));
    // Deleting the last object leaves the bucket's folder in place.
    assert.deepEqual(await readdir(join(data, 'photos')), []);
    const deleted = await alice.send(new DeleteBucketCommand({ Bucket: 'photos' }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    assert.ok(!existsSync(join(data, 'photos')));
    await refused(alice.send(new HeadBucketCommand({ Bucket: 'photos' })), null, 403);
    await refused(alice.send(new DeleteBucketCommand({ Bucket: 'photos' })), 'NoSuchBucket', 404);
    // The name is free again: for another account too.
    await client(carolKey).send(new CreateBucketCommand({ Bucket: 'photos' }));
    await refused(alice.send(new PutObjectCommand({ Bucket: 'photos', Key: 'x', Body: 'x' })), 'AccessDenied', 403);
    await client(carolKey).send(new DeleteBucketCommand({ Bucket: 'photos' }));
  });

  test('DeleteBucket of a bucket with an upload in progress aborts the upload with it', async () => {
    const alice = client(ALICE);
    await alice.send(new CreateBucketCommand({ Bucket: 'staging' }));
    const { UploadId } = await alice.send(new CreateMultipartUploadCommand({ Bucket: 'staging', Key: 'big.bin' }));
    await alice.send(new UploadPartCommand({ Bucket: 'staging', Key: 'big.bin', UploadId, PartNumber: 1, Body: 'part one' }));
    assert.equal((await alice.send(new ListMultipartUploadsCommand({ Bucket: 'staging' }))).Uploads?.length, 1);
    await alice.send(new DeleteBucketCommand({ Bucket: 'staging' }));
    await alice.send(new CreateBucketCommand({ Bucket: 'staging' }));
    assert.equal((await alice.send(new ListMultipartUploadsCommand({ Bucket: 'staging' }))).Uploads?.length ?? 0, 0);
    await alice.send(new DeleteBucketCommand({ Bucket: 'staging' }));
  });

  test('DeleteBucket is refused for declared buckets, other accounts\' buckets, and accounts without the flag', async () => {
    await refused(client(ALICE).send(new DeleteBucketCommand({ Bucket: 'declared' })), 'AccessDenied', 403);
    await refused(client(ALICE).send(new DeleteBucketCommand({ Bucket: 'carols' })), 'AccessDenied', 403);
    await refused(client(BOB).send(new DeleteBucketCommand({ Bucket: 'carols' })), 'AccessDenied', 403);
    await refused(client(BOB).send(new DeleteBucketCommand({ Bucket: 'no-such-bucket' })), 'AccessDenied', 403);
  });

  test('created buckets survive a restart', async () => {
    await stop();
    await start();
    const carol = client(carolKey);
    const got = await carol.send(new GetObjectCommand({ Bucket: 'carols', Key: 'kept.txt' }));
    assert.equal(await got.Body!.transformToString(), 'kept');
    const listed = await carol.send(new ListBucketsCommand({}));
    assert.deepEqual(listed.Buckets!.map((b) => b.Name), ['carols']);
    await refused(carol.send(new CreateBucketCommand({ Bucket: 'carols' })), 'BucketAlreadyOwnedByYou', 409);
  });
});
