/**
 * STS benchmark, in one process on one core (`npm run bench -- --only sts`
 * runs it pinned to the server CPU; alone: `tsx bench/sts-exchange.ts`):
 *
 * 1. AssumeRoleWithWebIdentity exchanges per second through the app's
 *    gateway, with the identity provider's keys already cached (warm JWKS):
 *    token verification, role matching, minting (HMAC + ES256 signature).
 * 2. 4 KiB GETs through the same gateway signed with session credentials vs
 *    with a long-lived access key, alternating, with node:crypto SigV4 — what
 *    a session costs per request over an access key (token check cached).
 *
 * In process, without HTTP: these figures isolate the work STS adds. The
 * identity provider is a local loopback issuer.
 */
import { parseArgs } from 'node:util';
import { createApp } from '../src/app/create-app.ts';
import { signRequest } from '../src/auth/sigv4/index.ts';
import { MemoryBackend } from '../src/backends/memory/memory-backend.ts';
import { validateConfig } from '../src/config/validate.ts';
import { bytesBody, readAll } from '../src/core/body.ts';
import type { Gateway } from '../src/core/gateway.ts';
import type { GatewayRequest } from '../src/core/http.ts';
import { nodeBackends } from '../src/runtimes/node/backend-registry.ts';
import { createNodeServices } from '../src/runtimes/node/services.ts';
import { es256Pem, randomHmacSecret } from '../src/sts/session-keyring.test-helper.ts';
import { OidcIssuer } from '../test/support/oidc-issuer.ts';

export interface StsFigures {
  seconds: number;
  exchangesPerSecond: number;
  get: { label: string; requestsPerSecond: number; microsecondsPerRequest: number }[];
}

const ACCESS_KEY = { accessKeyId: 'SLAKBENCHSTS00000001', secretAccessKey: 'bench-only-secret-for-sts-000000000000' };
const ORIGIN = 'http://127.0.0.1';
const SMALL = 4096;
const REQUESTS_PER_SET = 256;

async function setUp() {
  const issuer = await OidcIssuer.start({ alg: 'RS256' });
  const config = validateConfig({
    server: { accessLog: false },
    connections: { mem: { type: 'memory' } },
    buckets: { data: { connection: 'mem' } },
    accounts: { bench: { grants: [{ bucket: 'data', actions: ['read'] }] } },
    accessKeys: { [ACCESS_KEY.accessKeyId]: { secret: ACCESS_KEY.secretAccessKey, account: 'bench' } },
    sts: {
      identityProviders: [{ id: 'ci', issuer: issuer.issuer, audiences: ['sluice'], local: true, claims: 'github-actions' }],
      sessions: { hmacSecrets: [{ version: 1, secret: randomHmacSecret() }], signingKeys: [{ kid: 's1', privateKey: (await es256Pem()).privateKey }] },
      roles: [{
        account: 'bench',
        name: 'reader',
        bindings: [{ provider: 'ci', audience: 'sluice', claims: [{ claim: 'sub', operator: 'starts_with', value: 'repo:acme/' }] }],
        permissions: [{ actions: ['read'], resources: ['bench::bucket/data/*'] }],
      }],
    },
  }, { source: 'bench', baseDir: '/', env: {}, backends: nodeBackends });
  const backend = new MemoryBackend({ readOnly: false });
  for (let i = 0; i < 16; i++) await backend.put(`obj-${i}`, bytesBody(new Uint8Array(SMALL).fill(i)), { metadata: {} });
  const app = await createApp(config, createNodeServices({ write() {} }), { backends: new Map([['mem', backend]]) });
  const token = await issuer.sign(OidcIssuer.githubClaims(), { expiresIn: 3600 });
  return { issuer, app, token };
}

function exchangeRequest(token: string): GatewayRequest {
  const body = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: 'bench::role/reader', RoleSessionName: 'bench', WebIdentityToken: token });
  return { method: 'POST', rawPath: '/.sts', rawQuery: '', headers: { host: '127.0.0.1', 'content-type': 'application/x-www-form-urlencoded' }, body: bytesBody(body.toString()), client: {} };
}

async function call(gateway: Gateway, req: GatewayRequest): Promise<{ status: number; text: string }> {
  const response = await gateway.handle(req);
  const bytes = response.body ? await readAll(response.body) : new Uint8Array();
  response.done?.({ bytes: bytes.byteLength, aborted: false });
  return { status: response.status, text: new TextDecoder().decode(bytes) };
}

const field = (xml: string, name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1] ?? '';

/** Runs `one` back to back for `seconds`, `concurrency` at a time; operations per second. */
async function rate(seconds: number, one: (i: number) => Promise<void>, concurrency = 1): Promise<number> {
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  let n = 0;
  const lane = async () => {
    while (performance.now() < end) await one(n++);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return n / ((performance.now() - started) / 1000);
}

/** Exchanges in flight at once, as many clients would keep a server busy (WebCrypto's work runs off the main thread). */
const EXCHANGE_CONCURRENCY = 8;

async function signedGets(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<GatewayRequest[]> {
  const now = new Date();
  return Promise.all(Array.from({ length: REQUESTS_PER_SET }, async (_, i) => {
    const path = `/data/obj-${i % 16}`;
    const headers = await signRequest({ method: 'GET', url: `${ORIGIN}${path}` }, credentials, { region: 'us-east-1', service: 's3', now });
    return { method: 'GET', rawPath: path, rawQuery: '', headers: { ...headers, host: '127.0.0.1' }, client: {} } satisfies GatewayRequest;
  }));
}

export async function measureSts(seconds: number): Promise<StsFigures> {
  const { issuer, app, token } = await setUp();
  try {
    const first = await call(app.gateway, exchangeRequest(token));
    if (first.status !== 200) throw new Error(`the exchange failed: ${first.status} ${first.text}`);
    // Warm: the issuer's keys are cached from here on.
    const exchangesPerSecond = await rate(seconds, async () => {
      const r = await call(app.gateway, exchangeRequest(token));
      if (r.status !== 200) throw new Error(`exchange answered ${r.status}`);
    }, EXCHANGE_CONCURRENCY);
    const session = { accessKeyId: field(first.text, 'AccessKeyId'), secretAccessKey: field(first.text, 'SecretAccessKey'), sessionToken: field(first.text, 'SessionToken') };
    const sets = { 'access key': await signedGets(ACCESS_KEY), 'session credentials': await signedGets(session) };
    for (const [label, requests] of Object.entries(sets)) {
      const r = await call(app.gateway, requests[0]!);
      if (r.status !== 200 || r.text.length !== SMALL) throw new Error(`GET with ${label} answered ${r.status}: ${r.text.slice(0, 200)}`);
    }
    // Alternate the two in slices so both see the same machine.
    const totals = new Map<string, { n: number; ms: number }>(Object.keys(sets).map((k) => [k, { n: 0, ms: 0 }]));
    const slices = Math.max(2, Math.round(seconds * 4));
    for (let s = 0; s < slices; s++) {
      for (const [label, requests] of Object.entries(sets)) {
        const started = performance.now();
        const perSecond = await rate(seconds / slices / 2, async (i) => {
          const r = await app.gateway.handle(requests[i % requests.length]!);
          if (r.status !== 200) throw new Error(`GET answered ${r.status}`);
          await readAll(r.body!);
        });
        const t = totals.get(label)!;
        const ms = performance.now() - started;
        t.n += perSecond * (ms / 1000);
        t.ms += ms;
      }
    }
    const get = [...totals].map(([label, t]) => ({ label, requestsPerSecond: t.n / (t.ms / 1000), microsecondsPerRequest: (t.ms * 1000) / t.n }));
    return { seconds, exchangesPerSecond, get };
  } finally {
    await app.close();
    await issuer.close();
  }
}

export function formatSts(f: StsFigures): string[] {
  const key = f.get.find((g) => g.label === 'access key')!;
  const session = f.get.find((g) => g.label === 'session credentials')!;
  return [
    `STS in process on one core (${f.seconds} s per figure; no HTTP, so these isolate the work STS adds)`,
    `   AssumeRoleWithWebIdentity, warm JWKS, ${EXCHANGE_CONCURRENCY} in flight: ${f.exchangesPerSecond.toFixed(0)} exchanges/s (target ≥ 1,000/s)`,
    `   4 KiB GET, access key:          ${key.requestsPerSecond.toFixed(0)} req/s (${key.microsecondsPerRequest.toFixed(1)} µs/req)`,
    `   4 KiB GET, session credentials: ${session.requestsPerSecond.toFixed(0)} req/s (${session.microsecondsPerRequest.toFixed(1)} µs/req), ` +
      `×${(session.requestsPerSecond / key.requestsPerSecond).toFixed(2)} of the access key's rate`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' }, json: { type: 'boolean', default: false } } });
  const figures = await measureSts(Number(values.seconds));
  if (values.json) console.log(JSON.stringify(figures));
  else for (const line of formatSts(figures)) console.log(line);
}
