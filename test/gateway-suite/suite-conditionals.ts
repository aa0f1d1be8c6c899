/**
 * Suite: conditional reads. If-Match, If-None-Match, If-Modified-Since and
 * If-Unmodified-Since answer 200, 304 or 412 on GetObject and HeadObject,
 * combined with S3's precedence. Dates are taken from the object's own
 * Last-Modified, so no test depends on the clock.
 */
import assert from 'node:assert/strict';
import type { GatewayUnderTest } from './gateway-under-test.ts';
import { type SuiteContext, type SuiteRegistry, assertNoBody, assertS3Error } from './suite-support.ts';

const TARGET = '/open-data/c.txt';
const OTHER_ETAG = '"d41d8cd98f00b204e9800998ecf8427e"';

interface Seeded {
  etag: string;
  earlier: string;
  later: string;
  sameSecond: string;
}

async function seedObject({ seed, gateway }: SuiteContext): Promise<Seeded> {
  await seed('open-data', 'c.txt', 'content');
  const head = await gateway.send({ method: 'HEAD', target: TARGET });
  const lastModified = new Date(head.headers['last-modified']!);
  assert.ok(!Number.isNaN(lastModified.getTime()), 'Last-Modified is an HTTP date');
  const shifted = (seconds: number) => new Date(lastModified.getTime() + seconds * 1000).toUTCString();
  return { etag: head.headers.etag!, earlier: shifted(-3600), later: shifted(3600), sameSecond: shifted(0) };
}

type Outcome = 200 | 304 | 412;

/** Send the conditions with GET and with HEAD; both must answer `outcome`, with S3's body and headers for it. */
async function expectOutcome(gateway: GatewayUnderTest, headers: Record<string, string>, outcome: Outcome, label: string, etag: string) {
  const get = await gateway.send({ target: TARGET, headers });
  if (outcome === 200) {
    assert.equal(get.status, 200, `${label} (GET): ${get.text()}`);
    assert.equal(get.text(), 'content', label);
  } else if (outcome === 304) {
    assert.equal(get.status, 304, `GET ${label}`);
    assertNoBody(get, label);
    assert.equal(get.headers.etag, etag, `${label}: 304 carries the ETag`);
    assert.ok(get.headers['last-modified'], `${label}: 304 carries Last-Modified`);
  } else {
    assertS3Error(get, 412, 'PreconditionFailed', `GET ${label}`);
  }
  const head = await gateway.send({ method: 'HEAD', target: TARGET, headers });
  assert.equal(head.status, outcome, `HEAD ${label}`);
  assertNoBody(head, `HEAD ${label}`);
}

export function registerConditionalTests({ test }: SuiteRegistry): void {
  test('If-Match: the current ETag answers 200, another ETag 412 PreconditionFailed', async (context) => {
    const { etag } = await seedObject(context);
    await expectOutcome(context.gateway, { 'if-match': etag }, 200, 'same ETag', etag);
    await expectOutcome(context.gateway, { 'if-match': OTHER_ETAG }, 412, 'other ETag', etag);
  });

  test('If-Match: * or a list holding the current ETag answers 200', async (context) => {
    const { etag } = await seedObject(context);
    await expectOutcome(context.gateway, { 'if-match': '*' }, 200, 'any ETag', etag);
    await expectOutcome(context.gateway, { 'if-match': `${OTHER_ETAG}, ${etag}` }, 200, 'ETag in a list', etag);
  });

  test('If-None-Match: the current ETag answers 304 with the ETag and no body, another ETag 200', async (context) => {
    const { etag } = await seedObject(context);
    await expectOutcome(context.gateway, { 'if-none-match': etag }, 304, 'same ETag', etag);
    await expectOutcome(context.gateway, { 'if-none-match': OTHER_ETAG }, 200, 'other ETag', etag);
  });

  test('If-None-Match: * or a list holding the current ETag answers 304', async (context) => {
    const { etag } = await seedObject(context);
    await expectOutcome(context.gateway, { 'if-none-match': '*' }, 304, 'any ETag', etag);
    await expectOutcome(context.gateway, { 'if-none-match': `${OTHER_ETAG}, ${etag}` }, 304, 'ETag in a list', etag);
  });

  test('If-Modified-Since: 304 unless the object changed after the date', async (context) => {
    const { etag, earlier, later, sameSecond } = await seedObject(context);
    const expect = (value: string, outcome: Outcome, label: string) => expectOutcome(context.gateway, { 'if-modified-since': value }, outcome, label, etag);
    await expect(sameSecond, 304, 'the Last-Modified itself');
    await expect(later, 304, 'a later date');
    await expect(earlier, 200, 'an earlier date');
  });

  test('If-Unmodified-Since: 412 PreconditionFailed when the object changed after the date', async (context) => {
    const { etag, earlier, later, sameSecond } = await seedObject(context);
    const expect = (value: string, outcome: Outcome, label: string) => expectOutcome(context.gateway, { 'if-unmodified-since': value }, outcome, label, etag);
    await expect(sameSecond, 200, 'the Last-Modified itself');
    await expect(later, 200, 'a later date');
    await expect(earlier, 412, 'an earlier date');
  });

  test('conditions combine with S3 precedence', async (context) => {
    const { etag, earlier, later } = await seedObject(context);
    const cases: Array<[Record<string, string>, Outcome, string]> = [
      [{ 'if-match': etag, 'if-unmodified-since': earlier }, 200, 'a true If-Match overrides a false If-Unmodified-Since'],
      [{ 'if-none-match': OTHER_ETAG, 'if-modified-since': later }, 200, 'a false If-None-Match overrides a true If-Modified-Since'],
      [{ 'if-none-match': etag, 'if-modified-since': earlier }, 304, 'a matching If-None-Match answers 304 whatever the date'],
      [{ 'if-match': OTHER_ETAG, 'if-none-match': etag }, 412, 'If-Match is evaluated first'],
      [{ 'if-unmodified-since': earlier, 'if-modified-since': later }, 412, 'If-Unmodified-Since before If-Modified-Since'],
      [{ 'if-match': etag, 'if-modified-since': later }, 304, 'If-Match true and If-Modified-Since false: 304'],
    ];
    for (const [headers, outcome, label] of cases) await expectOutcome(context.gateway, headers, outcome, label, etag);
  });

  test('a Range is served only when the conditions hold', async (context) => {
    const { etag } = await seedObject(context);
    const ranged = await context.gateway.send({ target: TARGET, headers: { range: 'bytes=0-2', 'if-match': etag } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.text(), 'con');
    const refused = await context.gateway.send({ target: TARGET, headers: { range: 'bytes=0-2', 'if-match': OTHER_ETAG } });
    assertS3Error(refused, 412, 'PreconditionFailed');
    const notModified = await context.gateway.send({ target: TARGET, headers: { range: 'bytes=0-2', 'if-none-match': etag } });
    assert.equal(notModified.status, 304);
    assertNoBody(notModified);
  });

  test('a date S3 cannot parse is ignored rather than refused', async (context) => {
    const { etag } = await seedObject(context);
    await expectOutcome(context.gateway, { 'if-modified-since': 'not a date' }, 200, 'If-Modified-Since', etag);
    await expectOutcome(context.gateway, { 'if-unmodified-since': 'yesterday' }, 200, 'If-Unmodified-Since', etag);
  });
}
