/**
 * 4. Signed vs anonymous: 4 KiB GETs at 32 connections through Sluice with
 * SigV4 authentication on. Anonymous GETs read the public bucket; signed
 * ones read the restricted bucket through the account's grant, each request
 * carrying its own signature that the server verifies in full (presigned
 * URLs, as a load generator can replay them; and Authorization headers,
 * valid for S3's 15 minutes of clock skew).
 */
import { presignUrl, signRequest } from '../../src/auth/sigv4/index.ts';
import { BENCH_KEY, BENCH_REGION } from '../lib/bench-credentials.ts';
import { type BenchContext, expectServes, startSigned } from '../lib/context.ts';
import { PRIVATE_BUCKET, PUBLIC_BUCKET, SMALL_SIZE } from '../lib/data.ts';
import { type Measured, measureAlternating } from '../lib/measure.ts';
import type { ServerProcess } from '../lib/processes.ts';
import { fixed, ratio, table } from '../lib/report.ts';
import { withServers } from '../lib/with-servers.ts';
import { type LoadRequest, writeWrkScript } from '../lib/wrk.ts';
import type { SectionResult } from './section.ts';

const CONNECTIONS = 32;
const signed = (n: number) => `${n >= 0 ? '+' : '−'}${fixed(Math.abs(n))}`;

async function presignedRequests(origin: string, keys: readonly string[]): Promise<LoadRequest[]> {
  const now = new Date();
  return Promise.all(keys.map(async (key) => {
    const url = await presignUrl({ method: 'GET', url: `${origin}/${PRIVATE_BUCKET}/${key}` }, BENCH_KEY, {
      region: BENCH_REGION, service: 's3', expiresIn: 3600, now,
    });
    return { path: url.slice(origin.length) };
  }));
}

async function headerSignedRequests(origin: string, keys: readonly string[]): Promise<LoadRequest[]> {
  const now = new Date();
  return Promise.all(keys.map(async (key) => {
    const path = `/${PRIVATE_BUCKET}/${key}`;
    const headers = await signRequest({ method: 'GET', url: `${origin}${path}` }, BENCH_KEY, { region: BENCH_REGION, service: 's3', now });
    delete headers.host; // wrk sends its own, identical Host header
    return { path, headers };
  }));
}

interface Row extends Measured {
  /** The anonymous row measured on the same server process, which signed rows compare with. */
  anonymous: Measured;
}

export async function signedRequests(ctx: BenchContext): Promise<SectionResult> {
  const keys = ctx.data.smallKeys;
  const anonymous = keys.map((key) => ({ path: `/${PUBLIC_BUCKET}/${key}` }));
  const rows = await withServers([() => startSigned(ctx, 'web'), () => startSigned(ctx, 'node')], async ([web, node]) => {
    const presignedWeb = await presignedRequests(web!.url, keys);
    const presignedNode = await presignedRequests(node!.url, keys);
    const headerSigned = await headerSignedRequests(node!.url, keys);
    for (const server of [web!, node!]) {
      await expectServes(`${server.url}${anonymous[0]!.path}`, SMALL_SIZE);
      const open = await expectServes(`${server.url}/${PRIVATE_BUCKET}/${keys[0]}`, SMALL_SIZE).then(() => true, () => false);
      if (open) throw new Error('the restricted bucket answered an anonymous GET; signed figures would not measure authentication');
    }
    await expectServes(`${web!.url}${presignedWeb[0]!.path}`, SMALL_SIZE);
    await expectServes(`${node!.url}${presignedNode[0]!.path}`, SMALL_SIZE);
    await expectServes(`${node!.url}${headerSigned[0]!.path}`, SMALL_SIZE, headerSigned[0]!.headers);
    const target = (label: string, server: ServerProcess, name: string, requests: LoadRequest[]) =>
      ({ label, server, script: writeWrkScript(ctx.data.dir, name, requests), connections: CONNECTIONS });
    const [anonWeb, preWeb, anonNode, preNode, header] = await measureAlternating(ctx, [
      target('anonymous, public bucket (WebCrypto server)', web!, 'anonymous-web', anonymous),
      target('presigned URL, WebCrypto (authenticator default)', web!, 'presigned-web', presignedWeb),
      target('anonymous, public bucket (node:crypto server)', node!, 'anonymous-node', anonymous),
      target('presigned URL, node:crypto', node!, 'presigned-node', presignedNode),
      target('Authorization header, node:crypto', node!, 'header-node', headerSigned),
    ]) as [Measured, Measured, Measured, Measured, Measured];
    return [
      { ...anonWeb, anonymous: anonWeb },
      { ...preWeb, anonymous: anonWeb },
      { ...anonNode, anonymous: anonNode },
      { ...preNode, anonymous: anonNode },
      { ...header, anonymous: anonNode },
    ] satisfies Row[];
  });

  // Server CPU per request, measured: what authentication adds, whatever else runs on the machine.
  const added = (r: Row) => r.cpuMicrosecondsPerRequest - r.anonymous.cpuMicrosecondsPerRequest;
  const isBase = (r: Row) => r.anonymous.label === r.label;
  const lines = [
    `4. Signed vs anonymous ${SMALL_SIZE / 1024} KiB GETs through Sluice with SigV4 on (default config), ${CONNECTIONS} connections; ` +
      'each signed row against the anonymous row of its own server process',
    '   (higher req/s is better; "added" is server CPU per request over anonymous)',
    ...table(
      ['request', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'added', 'req/s signed/anonymous'],
      rows.map((r) => [
        r.label,
        fixed(r.requestsPerSecond),
        fixed(r.p50Ms, 2),
        fixed(r.p99Ms, 2),
        fixed(r.cpuMicrosecondsPerRequest),
        isBase(r) ? '' : signed(added(r)),
        isBase(r) ? '(baseline)' : ratio(r.requestsPerSecond, r.anonymous.requestsPerSecond),
      ]),
    ),
  ];
  return {
    lines,
    summary: rows.filter((r) => !isBase(r)).map((r) =>
      `signed/anonymous req/s, ${r.label.replace(' (authenticator default)', '')}: ${ratio(r.requestsPerSecond, r.anonymous.requestsPerSecond)} ` +
        `(${signed(added(r))} µs server CPU per request)`),
  };
}
