import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecretBox, parseMasterKey } from './secret-box.ts';
import { isAccessKeyId, newAccessKeyId, newSecretAccessKey } from './access-key-ids.ts';

const masterKey = parseMasterKey(btoa(String.fromCharCode(...new Uint8Array(32).fill(7))));

test('sealed secrets open with the same key and context only', async () => {
  const box = new SecretBox(masterKey);
  const sealed = await box.seal('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'SLAKAAAAAAAAAAAAAAAA');
  assert.ok(!sealed.includes('wJalr'));
  assert.equal(await box.open(sealed, 'SLAKAAAAAAAAAAAAAAAA'), 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
  await assert.rejects(box.open(sealed, 'SLAKBBBBBBBBBBBBBBBB'));
  const other = new SecretBox(parseMasterKey(btoa(String.fromCharCode(...new Uint8Array(32).fill(8)))));
  await assert.rejects(other.open(sealed, 'SLAKAAAAAAAAAAAAAAAA'));
  const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  await assert.rejects(box.open(tampered, 'SLAKAAAAAAAAAAAAAAAA'));
  assert.notEqual(await box.seal('x', 'c'), await box.seal('x', 'c'), 'fresh IV each time');
});

test('master keys must be 32 bytes of base64', () => {
  assert.throws(() => parseMasterKey('short'));
  assert.throws(() => parseMasterKey(btoa('x'.repeat(31))));
  assert.equal(parseMasterKey(btoa('x'.repeat(32))).byteLength, 32);
});

test('access key ids carry their prefix and look like AWS ids; secrets are 40 characters', () => {
  const id = newAccessKeyId();
  assert.match(id, /^SLAK[A-Z2-7]{16}$/);
  assert.ok(isAccessKeyId(id));
  assert.ok(!isAccessKeyId('AKIAIOSFODNN7EXAMPLE'));
  assert.notEqual(newAccessKeyId(), id);
  assert.match(newSecretAccessKey(), /^[A-Za-z0-9+/]{40}$/);
});
