/**
 * Suite: the errors S3 clients switch on — AccessDenied for restricted and
 * missing buckets alike (no existence leak), NotImplemented for unsupported
 * subresources, InvalidRequest and InvalidArgument for bad requests — each
 * as S3 XML carrying Resource and the request id.
 */
import assert from 'node:assert/strict';
import { type SuiteRegistry, assertNoBody, assertS3Error, xmlValue } from './suite-support.ts';

export function registerErrorTests({ test }: SuiteRegistry): void {
  test('a restricted bucket answers anonymous callers exactly like a missing one: 403 AccessDenied', async (context) => {
    await context.seed('restricted', 'secret.txt', 'secret');
    for (const [label, suffix] of [['GetObject', '/secret.txt'], ['ListObjectsV2', '?list-type=2'], ['ListObjects', ''], ['GetBucketLocation', '?location']] as const) {
      const restricted = await context.gateway.send({ target: `/restricted${suffix}` });
      const missing = await context.gateway.send({ target: `/no-such-bucket${suffix}` });
      const restrictedXml = assertS3Error(restricted, 403, 'AccessDenied', `${label} restricted`);
      const missingXml = assertS3Error(missing, 403, 'AccessDenied', `${label} missing`);
      assert.equal(xmlValue(restrictedXml, 'Message'), xmlValue(missingXml, 'Message'), label);
    }
    const head = await context.gateway.send({ method: 'HEAD', target: '/restricted/secret.txt' });
    assert.equal(head.status, 403);
    assertNoBody(head);
  });

  test('unsupported subresources answer 501 NotImplemented, never as another operation', async (context) => {
    await context.seed('open-data', 'k.txt', 'value');
    for (const target of ['/open-data?acl', '/open-data?versioning', '/open-data?policy', '/open-data?lifecycle', '/open-data/k.txt?acl', '/open-data/k.txt?tagging']) {
      const response = await context.gateway.send({ target });
      assertS3Error(response, 501, 'NotImplemented', target);
      assert.doesNotMatch(response.text(), /value/, `${target} does not serve the object`);
    }
  });

  test('error answers are S3 XML naming the resource, with the request id of the x-amz-request-id header', async (context) => {
    const response = await context.gateway.send({ target: '/open-data/docs/missing.txt' });
    const xml = assertS3Error(response, 404, 'NoSuchKey');
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error>/);
    assert.equal(xmlValue(xml, 'Resource'), '/open-data/docs/missing.txt');
    assert.ok(xmlValue(xml, 'Message'));
  });

  test('response-* overrides on an anonymous GetObject are 400 InvalidRequest', async (context) => {
    await context.seed('open-data', 'k.txt', 'value');
    assertS3Error(await context.gateway.send({ target: '/open-data/k.txt?response-content-type=text%2Fcsv' }), 400, 'InvalidRequest');
  });

  test('keys over 1024 bytes or with invalid UTF-8 are refused with 400', async (context) => {
    for (const target of [`/open-data/${'k'.repeat(1025)}`, '/open-data/bad%FFkey']) {
      const response = await context.gateway.send({ target });
      assert.equal(response.status, 400, target);
      assert.ok(xmlValue(response.text(), 'Code'), target);
    }
  });
}
