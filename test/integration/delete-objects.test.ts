/**
 * DeleteObjects end to end with the AWS SDK for JavaScript: each key is
 * authorized on its own, denied keys are reported and kept, and a request
 * that is malformed, too large or fails its digest deletes nothing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DeleteObjectsCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { signRequest } from '../../src/auth/sigv4/index.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import { bytesBody } from '../../src/core/body.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import { signedClient } from '../support/s3-client.ts';

const KEY: AccessKeyConfig = {
  accessKeyId: 'SLAKDELETERAAAAAAAAA',
  secretAccessKey: 'secret-of-deleter-0123456789abcdefghij',
  account: 'research',
  label: 'deleter',
  status: 'active',
};

describe('DeleteObjects', () => {
  let server: RunningServer;
  let backend: MemoryBackend;
  let s3: S3Client;

  const exists = async (key: string) => backend.head(key).then(() => true, () => false);

  before(async () => {
    backend = new MemoryBackend({ readOnly: false });
    const config = testConfig({ buckets: [bucket('data', { public: false })] });
    config.accounts = [{ name: 'research', grants: [{ bucket: 'data', actions: ['read', 'write'], prefixes: ['mine'] }, { bucket: 'data', actions: ['read'] }] }];
    config.accessKeys = [KEY];
    server = await startServer(config, { backends: new Map([['main', backend]]) });
    s3 = signedClient(server.url, KEY);
  });
  after(async () => {
    s3.destroy();
    await server.close();
  });
  beforeEach(async () => {
    for (const key of ['mine/a', 'mine/b & c', 'theirs/x']) await backend.put(key, bytesBody(key), { metadata: {} });
  });

  test('deletes the keys the caller may write, reports the others as AccessDenied and keeps them', async () => {
    const result = await s3.send(new DeleteObjectsCommand({
      Bucket: 'data',
      Delete: { Objects: [{ Key: 'mine/a' }, { Key: 'theirs/x' }, { Key: 'mine/b & c' }, { Key: 'mine/never-existed' }] },
    }));
    assert.deepEqual(result.Deleted?.map((d) => d.Key).sort(), ['mine/a', 'mine/b & c', 'mine/never-existed']);
    assert.deepEqual(result.Errors?.map((e) => [e.Key, e.Code]), [['theirs/x', 'AccessDenied']]);
    assert.equal(await exists('mine/a'), false);
    assert.equal(await exists('mine/b & c'), false);
    assert.equal(await exists('theirs/x'), true);
  });

  test('Quiet mode reports only errors', async () => {
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Quiet: true, Objects: [{ Key: 'mine/a' }, { Key: 'theirs/x' }] } }));
    assert.equal(result.Deleted, undefined);
    assert.deepEqual(result.Errors?.map((e) => e.Key), ['theirs/x']);
  });

  test('1001 keys: 400 MalformedXML and nothing deleted', async () => {
    const objects = [{ Key: 'mine/a' }, ...Array.from({ length: 1000 }, (_, i) => ({ Key: `mine/n${i}` }))];
    await assert.rejects(s3.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: objects } })), (error: unknown) =>
      error instanceof S3ServiceException && error.name === 'MalformedXML' && error.$metadata.httpStatusCode === 400);
    assert.equal(await exists('mine/a'), true);
  });

  async function post(body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    const url = `${server.url}/data?delete`;
    const signed = await signRequest({ method: 'POST', url, headers }, KEY, { region: 'us-east-1', service: 's3' });
    const response = await fetch(url, { method: 'POST', headers: signed, body });
    return { status: response.status, text: await response.text() };
  }
  const document = '<Delete><Object><Key>mine/a</Key></Object></Delete>';
  const md5 = (text: string) => createHash('md5').update(text).digest('base64');

  test('without Content-MD5 or a checksum: 400 InvalidRequest, nothing deleted', async () => {
    const answer = await post(document, {});
    assert.equal(answer.status, 400);
    assert.match(answer.text, /<Code>InvalidRequest<\/Code>/);
    assert.equal(await exists('mine/a'), true);
  });

  test('a Content-MD5 that does not match: 400 BadDigest, nothing deleted', async () => {
    const answer = await post(document, { 'content-md5': md5('something else') });
    assert.equal(answer.status, 400);
    assert.match(answer.text, /<Code>BadDigest<\/Code>/);
    assert.equal(await exists('mine/a'), true);
  });

  test('malformed documents: 400 MalformedXML', async () => {
    for (const bad of ['<Delete><Object><Key>mine/a</Key></Delete>', '<Delete></Delete>', '<Delete><Object></Object></Delete>', '<!DOCTYPE x [<!ENTITY a "b">]><Delete><Object><Key>&a;</Key></Object></Delete>']) {
      const answer = await post(bad, { 'content-md5': md5(bad) });
      assert.equal(answer.status, 400, bad);
      assert.match(answer.text, /<Code>MalformedXML<\/Code>/, bad);
    }
    assert.equal(await exists('mine/a'), true);
  });

  test('keys with entities and character references are decoded exactly', async () => {
    await backend.put('mine/<é> & "q"', bytesBody('x'), { metadata: {} });
    const body = '<Delete><Object><Key>mine/&lt;&#233;&gt; &amp; &#x22;q&quot;</Key></Object></Delete>';
    const answer = await post(body, { 'content-md5': md5(body) });
    assert.equal(answer.status, 200, answer.text);
    assert.match(answer.text, /<Deleted><Key>mine\/&lt;é&gt; &amp; &quot;q&quot;<\/Key><\/Deleted>/);
    assert.equal(await exists('mine/<é> & "q"'), false);
  });
});
