/**
 * SigV4 verification cost per request, WebCrypto default vs `node:crypto`,
 * with the signing-key cache warm (the usual case) and cold; and streamed
 * body hashing throughput, portable SHA-256 vs `node:crypto`.
 *
 *   npx tsx bench/sigv4-verify.ts          # human-readable
 *   npx tsx bench/sigv4-verify.ts --json   # figures as JSON (used by bench/run.ts)
 *
 * Each figure is time-boxed (about a second), so the whole run stays short
 * however slow the implementation under test is.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createPortableSha256, type SigV4Crypto, SigningKeyCache, signRequest, verifyRequest, webSigV4Crypto } from '../src/auth/sigv4/index.ts';
import type { GatewayRequest } from '../src/core/http.ts';
import { nodeSigV4Crypto } from '../src/runtimes/node/sigv4-crypto.ts';

const CREDS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench/secret+key' };
const NOW = new Date('2025-01-15T08:30:00Z');

export type CryptoName = 'WebCrypto' | 'node:crypto';

export interface SigV4Figures {
  verify: Array<{ crypto: CryptoName; keyCache: 'warm' | 'off'; microseconds: number; iterations: number }>;
  sha256MiBPerSecond: { portable: number; native: number };
}

/** A header-signed GET as an SDK sends it: range, user agent, a query parameter. */
async function typicalRequest(): Promise<GatewayRequest> {
  const url = 'https://bucket.s3.example.com/photos/2025/01/IMG_0001.jpg?versionId=3';
  const headers = await signRequest(
    { method: 'GET', url, headers: { range: 'bytes=0-1023', 'user-agent': 'aws-sdk-js/3' } },
    CREDS,
    { region: 'us-east-1', service: 's3', now: NOW },
  );
  return { method: 'GET', rawPath: '/photos/2025/01/IMG_0001.jpg', rawQuery: 'versionId=3', headers, client: {} };
}

async function perVerification(req: GatewayRequest, crypto: SigV4Crypto, cache: SigningKeyCache, budgetMs: number) {
  const deps = {
    lookupSecret: async () => ({ secretAccessKey: CREDS.secretAccessKey }),
    now: () => NOW,
    crypto,
    signingKeyCache: cache,
  };
  const warmUntil = performance.now() + budgetMs / 4;
  while (performance.now() < warmUntil) for (let i = 0; i < 50; i++) await verifyRequest(req, deps);
  let iterations = 0;
  const start = performance.now();
  const end = start + budgetMs;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await verifyRequest(req, deps);
    iterations += 50;
  }
  return { microseconds: ((performance.now() - start) * 1000) / iterations, iterations };
}

function hashThroughput(update: (chunk: Uint8Array) => void, finish: () => void, budgetMs: number): number {
  const chunk = new Uint8Array(64 * 1024).fill(97);
  let total = 0;
  const start = performance.now();
  const end = start + budgetMs;
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) update(chunk);
    total += 16 * chunk.byteLength;
  }
  finish();
  return total / 1024 / 1024 / ((performance.now() - start) / 1000);
}

export async function measureSigV4(budgetMs = 1000): Promise<SigV4Figures> {
  const req = await typicalRequest();
  const verify: SigV4Figures['verify'] = [];
  for (const [name, crypto] of [['WebCrypto', webSigV4Crypto], ['node:crypto', nodeSigV4Crypto]] as const) {
    verify.push({ crypto: name, keyCache: 'warm', ...(await perVerification(req, crypto, new SigningKeyCache(), budgetMs)) });
    verify.push({ crypto: name, keyCache: 'off', ...(await perVerification(req, crypto, new SigningKeyCache(0), budgetMs)) });
  }
  const portable = createPortableSha256();
  const native = nodeSigV4Crypto.createSha256!();
  return {
    verify,
    sha256MiBPerSecond: {
      portable: hashThroughput((c) => portable.update(c), () => portable.digestHex(), budgetMs),
      native: hashThroughput((c) => native.update(c), () => native.digestHex(), budgetMs),
    },
  };
}

export function formatSigV4(figures: SigV4Figures): string[] {
  const lines = ['verifyRequest on a header-signed GET, µs per request (lower is better):'];
  for (const row of figures.verify) {
    const baseline = figures.verify.find((r) => r.crypto === 'WebCrypto' && r.keyCache === row.keyCache)!;
    const label = `${row.crypto}, key cache ${row.keyCache}`;
    const ratio = row === baseline ? '(baseline)' : `×${(baseline.microseconds / row.microseconds).toFixed(2)} faster than WebCrypto`;
    lines.push(`  ${label.padEnd(28)} ${row.microseconds.toFixed(1).padStart(8)} µs   ${ratio}`);
  }
  const { portable, native } = figures.sha256MiBPerSecond;
  lines.push('streamed SHA-256 in 64 KiB pieces, MiB/s (higher is better):');
  lines.push(`  ${'portable (@noble/hashes)'.padEnd(28)} ${portable.toFixed(0).padStart(8)} MiB/s (baseline)`);
  lines.push(`  ${'node:crypto'.padEnd(28)} ${native.toFixed(0).padStart(8)} MiB/s ×${(native / portable).toFixed(2)} vs portable`);
  return lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await measureSigV4();
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
  else for (const line of formatSigV4(figures)) console.log(line);
}
