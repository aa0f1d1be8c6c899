/** Parsing the Authorization header, presigned query parameters and timestamps. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SigV4Error } from './errors.ts';
import { formatAmzDate, parseAmzDate, parseAuthorizationHeader, parsePresignedQuery, queryPairs } from './parse.ts';

const SIG = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';

function rejects(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SigV4Error, `expected a SigV4Error, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('parseAuthorizationHeader', () => {
  test('reads the documented header, with or without spaces after the commas', () => {
    for (const sep of [',', ', ', ' ,  ']) {
      const parsed = parseAuthorizationHeader(
        `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request${sep}SignedHeaders=host;range;x-amz-date${sep}Signature=${SIG}`,
      );
      assert.deepEqual(parsed, {
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        date: '20130524',
        region: 'us-east-1',
        service: 's3',
        terminator: 'aws4_request',
        signedHeaders: ['host', 'range', 'x-amz-date'],
        signature: SIG,
      });
    }
  });

  test('accepts the components in any order', () => {
    const parsed = parseAuthorizationHeader(
      `AWS4-HMAC-SHA256 Signature=${SIG}, SignedHeaders=host, Credential=AKID/20130524/eu-west-1/s3/aws4_request`,
    );
    assert.equal(parsed.region, 'eu-west-1');
    assert.deepEqual(parsed.signedHeaders, ['host']);
  });

  test('refuses Signature Version 2 as an unsupported mechanism', () => {
    rejects(() => parseAuthorizationHeader('AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg='), 'InvalidRequest', /Please use AWS4-HMAC-SHA256/);
  });

  test('refuses other schemes as an unsupported authorization type', () => {
    rejects(() => parseAuthorizationHeader('AWS4-ECDSA-P256-SHA256 Credential=x'), 'InvalidArgument', /Unsupported Authorization Type/);
    rejects(() => parseAuthorizationHeader('Bearer abc'), 'InvalidArgument');
    rejects(() => parseAuthorizationHeader(''), 'InvalidArgument');
  });

  test('refuses a header missing a component, repeating one, or adding one', () => {
    const credential = 'Credential=AKID/20130524/us-east-1/s3/aws4_request';
    rejects(() => parseAuthorizationHeader(`AWS4-HMAC-SHA256 ${credential}, Signature=${SIG}`), 'AuthorizationHeaderMalformed');
    rejects(
      () => parseAuthorizationHeader(`AWS4-HMAC-SHA256 ${credential}, ${credential}, SignedHeaders=host, Signature=${SIG}`),
      'AuthorizationHeaderMalformed',
    );
    rejects(
      () => parseAuthorizationHeader(`AWS4-HMAC-SHA256 ${credential}, SignedHeaders=host, Signature=${SIG}, Extra=1`),
      'AuthorizationHeaderMalformed',
    );
    rejects(() => parseAuthorizationHeader(`AWS4-HMAC-SHA256 ${credential}, SignedHeaders, Signature=${SIG}`), 'AuthorizationHeaderMalformed');
  });

  test('refuses a malformed credential with the message S3 gives', () => {
    for (const credential of ['AKID/20130524/us-east-1/s3', 'AKID/2013052/us-east-1/s3/aws4_request', 'AKID/20130524//s3/aws4_request']) {
      rejects(
        () => parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host, Signature=${SIG}`),
        'AuthorizationHeaderMalformed',
        /the Credential is mal-formed; expecting "<YOUR-AKID>\/YYYYMMDD\/REGION\/SERVICE\/aws4_request"/,
      );
    }
    rejects(
      () => parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${SIG}`),
      'AuthorizationHeaderMalformed',
      /non-empty Access Key/,
    );
  });

  test('refuses an empty signed header name', () => {
    rejects(
      () => parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=A/20130524/r/s3/aws4_request, SignedHeaders=host;;x, Signature=${SIG}`),
      'AuthorizationHeaderMalformed',
    );
  });
});

const PRESIGNED =
  'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=' +
  SIG;

function withParam(name: string, value: string | undefined): string {
  const kept = PRESIGNED.split('&').filter((part) => !part.startsWith(`${name}=`));
  if (value !== undefined) kept.push(`${name}=${value}`);
  return kept.join('&');
}

describe('parsePresignedQuery', () => {
  test('reads the documented presigned URL', () => {
    assert.deepEqual(parsePresignedQuery(PRESIGNED), {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      date: '20130524',
      region: 'us-east-1',
      service: 's3',
      terminator: 'aws4_request',
      amzDate: '20130524T000000Z',
      expiresSeconds: 86400,
      signedHeaders: ['host'],
      signature: SIG,
    });
  });

  test('carries the session token and a hoisted payload hash', () => {
    const parsed = parsePresignedQuery(`${PRESIGNED}&X-Amz-Security-Token=a%2Bb%3D&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD`);
    assert.equal(parsed.sessionToken, 'a+b=');
    assert.equal(parsed.contentSha256, 'UNSIGNED-PAYLOAD');
  });

  test('requires every X-Amz parameter', () => {
    for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
      rejects(() => parsePresignedQuery(withParam(name, undefined)), 'AuthorizationQueryParametersError', /requires the X-Amz-Algorithm/);
    }
  });

  test('refuses another algorithm', () => {
    rejects(() => parsePresignedQuery(withParam('X-Amz-Algorithm', 'AWS4-HMAC-SHA512')), 'AuthorizationQueryParametersError', /only supports/);
  });

  test('refuses a malformed credential or date', () => {
    rejects(() => parsePresignedQuery(withParam('X-Amz-Credential', 'AKID%2F20130524')), 'AuthorizationQueryParametersError', /X-Amz-Credential/);
    rejects(() => parsePresignedQuery(withParam('X-Amz-Date', '2013-05-24T00:00:00Z')), 'AuthorizationQueryParametersError', /ISO8601 Long Format/);
    rejects(() => parsePresignedQuery(withParam('X-Amz-Date', '20130231T000000Z')), 'AuthorizationQueryParametersError');
  });

  test('bounds X-Amz-Expires to a week, with the messages S3 gives', () => {
    rejects(() => parsePresignedQuery(withParam('X-Amz-Expires', 'soon')), 'AuthorizationQueryParametersError', /should be a number/);
    rejects(() => parsePresignedQuery(withParam('X-Amz-Expires', '-1')), 'AuthorizationQueryParametersError', /non-negative/);
    rejects(() => parsePresignedQuery(withParam('X-Amz-Expires', '0')), 'AuthorizationQueryParametersError', /greater than 0/);
    rejects(() => parsePresignedQuery(withParam('X-Amz-Expires', '604801')), 'AuthorizationQueryParametersError', /less than a week/);
    assert.equal(parsePresignedQuery(withParam('X-Amz-Expires', '604800')).expiresSeconds, 604800);
    assert.equal(parsePresignedQuery(withParam('X-Amz-Expires', '1')).expiresSeconds, 1);
  });
});

describe('dates and query pairs', () => {
  test('parseAmzDate reads the ISO 8601 basic form and refuses impossible dates', () => {
    assert.equal(parseAmzDate('20130524T000000Z')?.toISOString(), '2013-05-24T00:00:00.000Z');
    assert.equal(parseAmzDate('20130524T250000Z'), null);
    assert.equal(parseAmzDate('20130524T000000'), null);
    assert.equal(parseAmzDate('Fri, 24 May 2013 00:00:00 GMT'), null);
  });

  test('formatAmzDate drops milliseconds', () => {
    assert.equal(formatAmzDate(new Date('2013-05-24T01:02:03.456Z')), '20130524T010203Z');
  });

  test('queryPairs decodes names and values, a raw plus as a space and an escaped one as a plus', () => {
    assert.deepEqual(queryPairs('a=1&b&c=x%20y+z%2B&&d='), [
      ['a', '1'],
      ['b', ''],
      ['c', 'x y z+'],
      ['d', ''],
    ]);
  });
});
