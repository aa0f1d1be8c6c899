/**
 * Every package the core bundles into the Worker works in workerd: zod,
 * yaml, fast-xml-parser, @noble/hashes and jose (signing and verifying a
 * JWT with WebCrypto keys), each checked against a known answer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RunningWorker, startWorker } from './workerd.ts';

const ENTRY = fileURLToPath(new URL('./dependencies-entry.ts', import.meta.url));

let worker: RunningWorker;
before(async () => {
  worker = await startWorker(ENTRY, {});
});
after(() => worker?.stop());

test('zod, yaml, fast-xml-parser, @noble/hashes and jose give their known answers inside workerd', async () => {
  const response = await fetch(`${worker.origin}/`);
  const text = await response.text();
  assert.equal(response.status, 200, text);
  assert.deepEqual(JSON.parse(text), {
    // FIPS 180 / RFC 1321 test vectors for "abc".
    md5: '900150983cd24fb0d6963f7d28e17f72',
    sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d',
    sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    xmlValid: true,
    xmlKey: 'a&b',
    yaml: { buckets: { 'open-data': { public: true } } },
    zodOk: true,
    zodRefusesUnknown: false,
    joseClaims: { role: 'reader', iss: 'https://issuer.test' },
    joseTampered: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  });
});
