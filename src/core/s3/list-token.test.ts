import assert from 'node:assert/strict';
import { test } from 'node:test';
import { S3Error } from '../errors/s3-error.ts';
import { type ListBinding, ListTokenCodec } from './list-token.ts';

const codec = new ListTokenCodec(new TextEncoder().encode('test secret'));
const binding = { bucket: 'b', prefix: 'p/', delimiter: '/' };

async function rejects(token: string, bindingUsed: ListBinding = binding): Promise<void> {
  await assert.rejects(codec.open(token, bindingUsed), (error: unknown) => error instanceof S3Error && error.code === 'InvalidArgument');
}

test('a sealed position opens to itself for the same listing', async () => {
  const token = await codec.seal('p/ünïcode key', binding);
  assert.equal(await codec.open(token, binding), 'p/ünïcode key');
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
});

test('tokens from another bucket, prefix or delimiter, or from another secret, are refused', async () => {
  const token = await codec.seal('p/x', binding);
  await rejects(token, { ...binding, bucket: 'c' });
  await rejects(token, { ...binding, prefix: 'q/' });
  await rejects(token, { bucket: 'b', prefix: 'p/' });
  const other = new ListTokenCodec(new TextEncoder().encode('another secret'));
  await assert.rejects(other.open(token, binding));
});

test('forged and malformed tokens are refused', async () => {
  const token = await codec.seal('p/x', binding);
  const [, mac] = token.split('.');
  await rejects(`${btoa('p/z').replace(/=+$/, '')}.${mac}`);
  await rejects('garbage');
  await rejects(`${token}.extra`);
  await rejects('!!.??');
});
