/**
 * Shared pieces of the gateway behaviour suite: the registration context each
 * area receives, the fixture every test runs against (buckets, keys, a probe
 * backend), and helpers for signing requests and reading S3 XML answers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import { presignUrl, signRequest } from '../../src/auth/sigv4/sign-request.ts';
import type { Backend } from '../../src/core/backend.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';
import type { GatewaySetup, GatewayUnderTest, SuiteRequest, SuiteResponse } from './gateway-under-test.ts';
import type { ProbeBackend } from './probe-backend.ts';

/** The buckets every test sees, and where each lives in the backend under test. */
export const BUCKET_PREFIXES = { 'open-data': 'open/', restricted: 'restricted/' } as const;
export type SuiteBucket = keyof typeof BUCKET_PREFIXES;

/** A public bucket on the probe connection, serving one endless object. */
export const ENDLESS_BUCKET = 'endless';

const accessKey = (id: string, overrides: Partial<AccessKeyConfig> = {}): AccessKeyConfig => ({
  accessKeyId: id,
  secretAccessKey: `secret-of-${id}-0123456789abcdefghij`,
  account: 'research',
  label: id,
  status: 'active',
  ...overrides,
});

/** May read and write both buckets. */
export const WRITER = accessKey('SLAKSUITEWRITERAAAAA');
/** Same account, but the key's ceiling allows reads only. */
export const READER = accessKey('SLAKSUITEREADERAAAAA', { ceiling: [{ bucket: '*', actions: ['read'] }] });

export function suiteSetup(main: Backend, probe: ProbeBackend): GatewaySetup {
  const config = testConfig({
    buckets: [
      bucket('open-data', { prefix: BUCKET_PREFIXES['open-data'] }),
      bucket('restricted', { prefix: BUCKET_PREFIXES.restricted, public: false }),
      bucket(ENDLESS_BUCKET, { connection: 'probe' }),
    ],
    connections: {
      main: { type: 'memory', name: 'main', readOnly: false },
      probe: { type: 'memory', name: 'probe', readOnly: false },
    },
    accounts: [{ name: 'research', grants: [{ bucket: 'open-data', actions: ['read', 'write'] }, { bucket: 'restricted', actions: ['read', 'write'] }] }],
    accessKeys: [WRITER, READER],
  });
  return { config, backends: new Map([['main', main], ['probe', probe]]) };
}

export interface SuiteContext {
  gateway: GatewayUnderTest;
  /** Store an object straight in the backend, under the bucket's prefix. */
  seed(bucket: SuiteBucket, key: string, content: string | Uint8Array, options?: { contentType?: string; metadata?: Record<string, string> }): Promise<void>;
  /** Store an object at a backend key outside every bucket (a neighbour that must never show). */
  seedOutside(key: string, content: string): Promise<void>;
  probe: ProbeBackend;
  t: TestContext;
}

export type SuiteBody = (context: SuiteContext) => Promise<void>;

export interface SuiteRegistry {
  /** Register one suite test; it runs against a freshly started gateway over a fresh backend. */
  test(name: string, body: SuiteBody): void;
}

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

export function quotedMd5(content: string | Uint8Array): string {
  return `"${createHash('md5').update(content).digest('hex')}"`;
}

/** The request with SigV4 header authentication added, signed for the gateway's origin. */
export async function signed(
  gateway: GatewayUnderTest,
  request: SuiteRequest,
  options: { key?: AccessKeyConfig; secret?: string; payloadHash?: string } = {},
): Promise<SuiteRequest> {
  const key = options.key ?? WRITER;
  const body = request.body;
  const payloadHash = options.payloadHash ?? (body === undefined ? EMPTY_SHA256 : sha256Hex(body));
  const headers = await signRequest(
    { method: request.method ?? 'GET', url: `${gateway.origin}${request.target}`, headers: request.headers ?? {} },
    { accessKeyId: key.accessKeyId, secretAccessKey: options.secret ?? key.secretAccessKey },
    { region: 'us-east-1', service: 's3', payloadHash },
  );
  return { ...request, headers };
}

/** A presigned GET for the target, valid `expiresIn` seconds from `now`. */
export async function presigned(gateway: GatewayUnderTest, target: string, options: { expiresIn?: number; now?: Date } = {}): Promise<SuiteRequest> {
  const url = await presignUrl(
    { method: 'GET', url: `${gateway.origin}${target}` },
    { accessKeyId: WRITER.accessKeyId, secretAccessKey: WRITER.secretAccessKey },
    { region: 'us-east-1', service: 's3', expiresIn: options.expiresIn ?? 60, now: options.now },
  );
  return { target: url.slice(gateway.origin.length) };
}

/** The text of every `<name>` element, in document order (entities decoded). */
export function xmlValues(xml: string, name: string): string[] {
  const values: string[] = [];
  for (const match of xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))) values.push(decodeEntities(match[1]!));
  return values;
}

/** The one `<name>` element's text, or undefined when absent. */
export function xmlValue(xml: string, name: string): string | undefined {
  const values = xmlValues(xml, name);
  assert.ok(values.length <= 1, `expected at most one <${name}>, got ${values.length}`);
  return values[0];
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, entity: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (entity in named) return named[entity]!;
    const code = entity[1]?.toLowerCase() === 'x' ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
    return String.fromCodePoint(code);
  });
}

/** Assert an S3 error answer: status, XML `<Code>`, the XML content type, and a request id matching the header. */
export function assertS3Error(response: SuiteResponse, status: number, code: string, label = ''): string {
  const xml = response.text();
  assert.equal(response.status, status, `${label} status (body: ${xml})`);
  assert.equal(xmlValue(xml, 'Code'), code, `${label} code`);
  assert.equal(response.headers['content-type'], 'application/xml', `${label} content type`);
  assert.equal(xmlValue(xml, 'RequestId'), response.headers['x-amz-request-id'], `${label} request id`);
  return xml;
}

/** Assert an answer without a body (HEAD, 204, 304, and errors to HEAD). */
export function assertNoBody(response: SuiteResponse, label = ''): void {
  assert.equal(response.body.byteLength, 0, `${label} has no body`);
}
