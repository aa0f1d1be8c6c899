/**
 * SigV4 verification cost per request, WebCrypto default vs `node:crypto`,
 * with the signing-key cache warm (the usual case) and cold; and streamed
 * body hashing throughput, portable SHA-256 vs `node:crypto`.
 *
 *   npx tsx bench/sigv4-verify.ts
 *
 * Prints microseconds per verification and ratios against the WebCrypto
 * baseline measured in the same run. Bounded: a few seconds in all.
 */
import { performance } from 'node:perf_hooks';
import { createPortableSha256, type SigV4Crypto, SigningKeyCache, signRequest, verifyRequest, webSigV4Crypto } from '../src/auth/sigv4/index.ts';
import type { GatewayRequest } from '../src/core/http.ts';
import { nodeSigV4Crypto } from '../src/runtimes/node/sigv4-crypto.ts';

const CREDS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench/secret+key' };
const NOW = new Date('2025-01-15T08:30:00Z');
const ROUNDS = 20_000;

async function typicalRequest(): Promise<GatewayRequest> {
  const url = 'https://bucket.s3.example.com/photos/2025/01/IMG_0001.jpg?versionId=3';
  const headers = await signRequest(
    { method: 'GET', url, headers: { range: 'bytes=0-1023', 'user-agent': 'aws-sdk-js/3' } },
    CREDS,
    { region: 'us-east-1', service: 's3', now: NOW },
  );
  return { method: 'GET', rawPath: '/photos/2025/01/IMG_0001.jpg', rawQuery: 'versionId=3', headers, client: {} };
}

async function perVerification(req: GatewayRequest, crypto: SigV4Crypto, cache: SigningKeyCache): Promise<number> {
  const deps = {
    lookupSecret: async () => ({ secretAccessKey: CREDS.secretAccessKey }),
    now: () => NOW,
    crypto,
    signingKeyCache: cache,
  };
  for (let i = 0; i < 2000; i++) await verifyRequest(req, deps); // warm-up
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) await verifyRequest(req, deps);
  return ((performance.now() - start) * 1000) / ROUNDS;
}

function hashThroughput(update: (chunk: Uint8Array) => void, finish: () => void): number {
  const chunk = new Uint8Array(64 * 1024).fill(97);
  const total = 256 * 1024 * 1024;
  const start = performance.now();
  for (let done = 0; done < total; done += chunk.byteLength) update(chunk);
  finish();
  return total / 1024 / 1024 / ((performance.now() - start) / 1000);
}

const req = await typicalRequest();
const rows: Array<[string, number]> = [];
for (const [name, crypto] of [
  ['WebCrypto', webSigV4Crypto],
  ['node:crypto', nodeSigV4Crypto],
] as const) {
  rows.push([`${name}, key cache warm`, await perVerification(req, crypto, new SigningKeyCache())]);
  rows.push([`${name}, key cache off`, await perVerification(req, crypto, new SigningKeyCache(0))]);
}
console.log('verifyRequest, µs per request (lower is better):');
for (const [label, us] of rows) {
  const baseline = rows.find(([l]) => l.startsWith('WebCrypto') && l.endsWith(label.split(', ')[1]))![1];
  console.log(`  ${label.padEnd(28)} ${us.toFixed(1).padStart(7)} µs   ×${(baseline / us).toFixed(2)} vs WebCrypto`);
}

const portable = createPortableSha256();
const portableRate = hashThroughput((c) => portable.update(c), () => portable.digestHex());
const native = nodeSigV4Crypto.createSha256!();
const nativeRate = hashThroughput((c) => native.update(c), () => native.digestHex());
console.log('streamed SHA-256 of 256 MiB in 64 KiB pieces (higher is better):');
console.log(`  portable (@noble/hashes)     ${portableRate.toFixed(0).padStart(7)} MiB/s`);
console.log(`  node:crypto                  ${nativeRate.toFixed(0).padStart(7)} MiB/s   ×${(nativeRate / portableRate).toFixed(2)} vs portable`);
