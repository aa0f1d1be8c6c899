/**
 * Suite: ListObjectsV2 and ListObjects (V1) — prefix, delimiter, pagination
 * with continuation tokens and markers, start-after, max-keys,
 * encoding-type=url, refused parameters — plus ListBuckets and HeadBucket.
 * Neighbours outside the bucket's prefix are seeded to catch leaks.
 */
import assert from 'node:assert/strict';
import { type SuiteContext, type SuiteRegistry, WRITER, assertNoBody, assertS3Error, signed, xmlValue, xmlValues } from './suite-support.ts';

const KEYS = [
  'docs/a.txt',
  'docs/b.txt',
  'docs/sub/c.txt',
  'logs/2024/01.log',
  'logs/2024/02.log',
  'logs/2025/01.log',
  'plus+sign.txt',
  'readme.md',
  'with space.txt',
];

async function seedKeys(context: SuiteContext): Promise<void> {
  for (const key of KEYS) await context.seed('open-data', key, `content of ${key}`);
  // Neighbours: a sibling prefix sharing the bucket prefix's first letters, and another bucket.
  await context.seedOutside('opener/x.txt', 'neighbour');
  await context.seed('restricted', 'docs/secret.txt', 'secret');
}

function listTarget(bucket: string, params: Record<string, string | undefined>): string {
  const query = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
  return `/${bucket}?${query}`;
}

interface Page {
  xml: string;
  /** The document without its Contents and CommonPrefixes entries, for the listing's own elements. */
  top: string;
  keys: string[];
  prefixes: string[];
  truncated: boolean;
}

async function list(context: SuiteContext, params: Record<string, string | undefined>, bucket = 'open-data'): Promise<Page> {
  const response = await context.gateway.send({ target: listTarget(bucket, params) });
  const xml = response.text();
  assert.equal(response.status, 200, xml);
  assert.equal(response.headers['content-type'], 'application/xml');
  const contents = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => m[1]!);
  const commonPrefixes = [...xml.matchAll(/<CommonPrefixes>([\s\S]*?)<\/CommonPrefixes>/g)].map((m) => m[1]!);
  return {
    xml,
    top: contents.concat(commonPrefixes).reduce((rest, block) => rest.replace(block, ''), xml),
    keys: contents.map((c) => xmlValue(c, 'Key')!),
    prefixes: commonPrefixes.map((c) => xmlValue(c, 'Prefix')!),
    truncated: xmlValue(xml, 'IsTruncated') === 'true',
  };
}

/** Follow ListObjectsV2 continuation tokens to the end, checking each page's shape. */
async function listAllV2(context: SuiteContext, params: Record<string, string | undefined>) {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await list(context, { 'list-type': '2', ...params, 'continuation-token': token });
    pages++;
    const count = page.keys.length + page.prefixes.length;
    assert.equal(xmlValue(page.xml, 'KeyCount'), String(count), 'KeyCount counts keys and common prefixes');
    assert.ok(count <= Number(params['max-keys'] ?? 1000), 'a page holds at most max-keys entries');
    assert.equal(xmlValue(page.xml, 'ContinuationToken'), token, 'the token sent is echoed');
    keys.push(...page.keys);
    prefixes.push(...page.prefixes);
    if (!page.truncated) {
      assert.equal(xmlValue(page.xml, 'NextContinuationToken'), undefined, 'the last page has no next token');
      break;
    }
    token = xmlValue(page.xml, 'NextContinuationToken');
    assert.ok(token, 'a truncated page carries NextContinuationToken');
    assert.ok(pages < 100, 'paging terminates');
  }
  return { keys, prefixes, pages };
}

export function registerListingTests({ test }: SuiteRegistry): void {
  test('ListObjectsV2 lists every key of the bucket in order, never the connection prefix or a neighbour', async (context) => {
    await seedKeys(context);
    const page = await list(context, { 'list-type': '2' });
    assert.deepEqual(page.keys, KEYS);
    assert.deepEqual(page.prefixes, []);
    assert.equal(page.truncated, false);
    assert.equal(xmlValue(page.xml, 'Name'), 'open-data');
    assert.equal(xmlValue(page.xml, 'KeyCount'), String(KEYS.length));
    assert.equal(xmlValue(page.xml, 'MaxKeys'), '1000');
    assert.match(page.xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<ListBucketResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">/);
    const first = /<Contents>([\s\S]*?)<\/Contents>/.exec(page.xml)![1]!;
    assert.equal(xmlValue(first, 'Size'), String('content of docs/a.txt'.length));
    assert.match(xmlValue(first, 'ETag') ?? '', /^"[0-9a-f]{32}"$/);
    assert.match(xmlValue(first, 'LastModified') ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
  });

  test('ListObjectsV2 with a prefix and a delimiter rolls keys up into common prefixes', async (context) => {
    await seedKeys(context);
    const top = await list(context, { 'list-type': '2', delimiter: '/' });
    assert.deepEqual(top.prefixes, ['docs/', 'logs/']);
    assert.deepEqual(top.keys, ['plus+sign.txt', 'readme.md', 'with space.txt']);
    assert.equal(xmlValue(top.xml, 'Delimiter'), '/');
    const logs = await list(context, { 'list-type': '2', prefix: 'logs/', delimiter: '/' });
    assert.deepEqual(logs.prefixes, ['logs/2024/', 'logs/2025/']);
    assert.deepEqual(logs.keys, []);
    assert.equal(xmlValue(logs.top, 'Prefix'), 'logs/');
    const partial = await list(context, { 'list-type': '2', prefix: 'docs/' });
    assert.deepEqual(partial.keys, ['docs/a.txt', 'docs/b.txt', 'docs/sub/c.txt']);
    const none = await list(context, { 'list-type': '2', prefix: 'nothing/' });
    assert.deepEqual([none.keys, none.prefixes, none.truncated], [[], [], false]);
  });

  test('ListObjectsV2 pages with max-keys and continuation tokens, in order, without gaps or repeats', async (context) => {
    await seedKeys(context);
    const { keys, pages } = await listAllV2(context, { 'max-keys': '2' });
    assert.deepEqual(keys, KEYS);
    assert.equal(pages, Math.ceil(KEYS.length / 2));
  });

  test('ListObjectsV2 with a delimiter pages through keys and common prefixes together', async (context) => {
    await seedKeys(context);
    const { keys, prefixes } = await listAllV2(context, { delimiter: '/', 'max-keys': '1' });
    assert.deepEqual(prefixes, ['docs/', 'logs/']);
    assert.deepEqual(keys, ['plus+sign.txt', 'readme.md', 'with space.txt']);
  });

  test('ListObjectsV2 start-after lists only keys after the given one', async (context) => {
    await seedKeys(context);
    const page = await list(context, { 'list-type': '2', 'start-after': 'logs/2024/02.log' });
    assert.deepEqual(page.keys, ['logs/2025/01.log', 'plus+sign.txt', 'readme.md', 'with space.txt']);
    assert.equal(xmlValue(page.xml, 'StartAfter'), 'logs/2024/02.log');
    const between = await list(context, { 'list-type': '2', 'start-after': 'docs/zzz' });
    assert.equal(between.keys[0], 'logs/2024/01.log', 'start-after need not be an existing key');
  });

  test('ListObjectsV2 max-keys=0 answers no entries', async (context) => {
    await seedKeys(context);
    const page = await list(context, { 'list-type': '2', 'max-keys': '0' });
    assert.deepEqual([page.keys, page.prefixes], [[], []]);
    assert.equal(xmlValue(page.xml, 'KeyCount'), '0');
    assert.equal(xmlValue(page.xml, 'MaxKeys'), '0');
  });

  test('encoding-type=url percent-encodes keys, prefixes and the delimiter in the answer', async (context) => {
    await seedKeys(context);
    const page = await list(context, { 'list-type': '2', 'encoding-type': 'url' });
    assert.equal(xmlValue(page.xml, 'EncodingType'), 'url');
    assert.ok(page.keys.includes('with%20space.txt'), `spaces are encoded: ${page.keys.join(' | ')}`);
    assert.ok(page.keys.includes('plus%2Bsign.txt'), 'plus signs are encoded');
    assert.ok(page.keys.includes('docs/a.txt'), 'slashes stay as they are');
    const grouped = await list(context, { 'list-type': '2', 'encoding-type': 'url', delimiter: ' ', prefix: 'with' });
    assert.equal(xmlValue(grouped.xml, 'Delimiter'), '%20');
    assert.deepEqual(grouped.prefixes, ['with%20']);
  });

  test('ListObjects (V1) pages with Marker and NextMarker when a delimiter is given', async (context) => {
    await seedKeys(context);
    const first = await list(context, { delimiter: '/', 'max-keys': '2' });
    assert.deepEqual([first.prefixes, first.keys, first.truncated], [['docs/', 'logs/'], [], true]);
    assert.equal(xmlValue(first.xml, 'NextMarker'), 'logs/');
    assert.equal(xmlValue(first.xml, 'KeyCount'), undefined, 'V1 has no KeyCount');
    const second = await list(context, { delimiter: '/', 'max-keys': '2', marker: 'logs/' });
    assert.deepEqual([second.prefixes, second.keys, second.truncated], [[], ['plus+sign.txt', 'readme.md'], true]);
    assert.equal(xmlValue(second.xml, 'Marker'), 'logs/');
    assert.equal(xmlValue(second.xml, 'NextMarker'), 'readme.md');
    const last = await list(context, { delimiter: '/', 'max-keys': '2', marker: 'readme.md' });
    assert.deepEqual([last.keys, last.truncated], [['with space.txt'], false]);
  });

  test('ListObjects (V1) without a delimiter resumes from the last key listed', async (context) => {
    await seedKeys(context);
    const keys: string[] = [];
    let marker: string | undefined;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 100, 'paging terminates');
      const page = await list(context, { 'max-keys': '4', marker });
      keys.push(...page.keys);
      if (!page.truncated) break;
      marker = page.keys.at(-1);
    }
    assert.deepEqual(keys, KEYS);
  });

  test('max-keys out of range or not a number, a bad encoding-type and a forged token are 400 InvalidArgument', async (context) => {
    await seedKeys(context);
    for (const query of ['list-type=2&max-keys=-1', 'list-type=2&max-keys=ten', 'list-type=2&encoding-type=base64', 'list-type=2&continuation-token=forged', 'max-keys=x']) {
      assertS3Error(await context.gateway.send({ target: `/open-data?${query}` }), 400, 'InvalidArgument', query);
    }
  });

  test('a continuation token is refused for a listing with another prefix', async (context) => {
    await seedKeys(context);
    const page = await list(context, { 'list-type': '2', 'max-keys': '1' });
    const token = xmlValue(page.xml, 'NextContinuationToken')!;
    const reused = await context.gateway.send({ target: listTarget('open-data', { 'list-type': '2', prefix: 'logs/', 'continuation-token': token }) });
    assertS3Error(reused, 400, 'InvalidArgument');
  });

  test('ListBuckets shows anonymous callers the public buckets, signed callers the ones granted as well', async (context) => {
    const anonymous = await context.gateway.send({ target: '/' });
    assert.equal(anonymous.status, 200);
    assert.deepEqual(xmlValues(anonymous.text(), 'Name'), ['endless', 'open-data']);
    assert.match(anonymous.text(), /<ListAllMyBucketsResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">/);
    const mine = await context.gateway.send(await signed(context.gateway, { target: '/' }, { key: WRITER }));
    assert.equal(mine.status, 200, mine.text());
    assert.deepEqual(xmlValues(mine.text(), 'Name'), ['endless', 'open-data', 'restricted']);
  });

  test('HeadBucket answers 200 with the region for a readable bucket, 403 without a body for restricted and missing ones', async (context) => {
    const open = await context.gateway.send({ method: 'HEAD', target: '/open-data' });
    assert.equal(open.status, 200);
    assert.equal(open.headers['x-amz-bucket-region'], 'us-east-1');
    assertNoBody(open);
    for (const target of ['/restricted', '/no-such-bucket']) {
      const refused = await context.gateway.send({ method: 'HEAD', target });
      assert.equal(refused.status, 403, target);
      assertNoBody(refused, target);
    }
    const granted = await context.gateway.send(await signed(context.gateway, { method: 'HEAD', target: '/restricted' }));
    assert.equal(granted.status, 200);
  });
}
