/** Canonical URI, query and headers: S3's encoding and folding rules. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalHeaders, canonicalQuery, canonicalRequest, canonicalUri, credentialScope, stringToSign, trimAll } from './canonical.ts';
import { awsUriEncode, percentDecode } from './uri-encode.ts';

describe('canonicalUri', () => {
  test('keeps unreserved characters and slashes as they are', () => {
    assert.equal(canonicalUri('/bucket/a-b_c.d~e/F9'), '/bucket/a-b_c.d~e/F9');
  });

  test('an escaped and an unescaped reserved character canonicalise alike', () => {
    assert.equal(canonicalUri('/b/a*b'), '/b/a%2Ab');
    assert.equal(canonicalUri('/b/a%2ab'), '/b/a%2Ab');
    assert.equal(canonicalUri('/b/a%2Ab'), '/b/a%2Ab');
  });

  test('escapes unreserved characters that were needlessly escaped back to themselves', () => {
    assert.equal(canonicalUri('/b/%41%7e%2D'), '/b/A~-');
  });

  test('does not double-encode and does not normalise dot segments or empty segments', () => {
    assert.equal(canonicalUri('/b/a%20b'), '/b/a%20b');
    assert.equal(canonicalUri('/b/../c/./d//e'), '/b/../c/./d//e');
  });

  test('reads a raw plus as a literal plus', () => {
    assert.equal(canonicalUri('/b/a+b'), '/b/a%2Bb');
  });

  test('a decoded %2F is a slash, since S3 canonicalises from the key', () => {
    assert.equal(canonicalUri('/b/a%2Fb'), '/b/a/b');
  });

  test('encodes non-ASCII as UTF-8 whether it arrived escaped or raw', () => {
    assert.equal(canonicalUri('/b/%E2%82%AC'), '/b/%E2%82%AC');
    assert.equal(canonicalUri('/b/€'), '/b/%E2%82%AC');
    assert.equal(canonicalUri('/b/😀'), '/b/%F0%9F%98%80');
  });

  test('a percent sign without two hex digits is a literal percent sign', () => {
    assert.equal(canonicalUri('/b/100%'), '/b/100%25');
    assert.equal(canonicalUri('/b/%zz'), '/b/%25zz');
    assert.equal(canonicalUri('/b/%4'), '/b/%254');
  });

  test('an empty path is the root', () => {
    assert.equal(canonicalUri(''), '/');
  });
});

describe('canonicalQuery', () => {
  test('sorts by name and gives a bare name an empty value', () => {
    assert.equal(canonicalQuery('prefix=J&max-keys=2'), 'max-keys=2&prefix=J');
    assert.equal(canonicalQuery('lifecycle'), 'lifecycle=');
    assert.equal(canonicalQuery('uploads&prefix='), 'prefix=&uploads=');
  });

  test('sorts repeated names by value', () => {
    assert.equal(canonicalQuery('a=3&a=1&a=2'), 'a=1&a=2&a=3');
  });

  test('sorts by encoded name, so byte order of the escapes decides', () => {
    // "%2A" (for "*") sorts before "A" because "%" < "A".
    assert.equal(canonicalQuery('A=1&*=2'), '%2A=2&A=1');
  });

  test('encodes slashes, equals signs and spaces in values', () => {
    assert.equal(canonicalQuery('prefix=a/b&x=c%3Dd&y=e%20f'), 'prefix=a%2Fb&x=c%3Dd&y=e%20f');
  });

  test('reads a raw plus in the query as a space, as the request parser does; an escaped plus stays a plus', () => {
    assert.equal(canonicalQuery('prefix=a+b'), 'prefix=a%20b');
    assert.equal(canonicalQuery('prefix=a%20b'), 'prefix=a%20b');
    assert.equal(canonicalQuery('prefix=a%2Bb'), 'prefix=a%2Bb');
    assert.equal(canonicalQuery('prefix=a%20b'), 'prefix=a%20b');
  });

  test('only the first equals sign separates name and value', () => {
    assert.equal(canonicalQuery('a=b=c'), 'a=b%3Dc');
  });

  test('skips empty parts', () => {
    assert.equal(canonicalQuery('&a=1&&b=2&'), 'a=1&b=2');
    assert.equal(canonicalQuery(''), '');
  });

  test('leaves out X-Amz-Signature only when asked to', () => {
    const raw = 'X-Amz-Signature=abc&X-Amz-Date=20130524T000000Z';
    assert.equal(canonicalQuery(raw, { excludeSignature: true }), 'X-Amz-Date=20130524T000000Z');
    assert.equal(canonicalQuery(raw), 'X-Amz-Date=20130524T000000Z&X-Amz-Signature=abc');
  });
});

describe('canonicalHeaders', () => {
  test('trims and collapses runs of spaces, also inside quotes', () => {
    assert.equal(trimAll('   a   b   c  '), 'a b c');
    assert.equal(trimAll('  "a   b   c"  '), '"a b c"');
    assert.equal(trimAll('a\t\t b\r\nc'), 'a b c');
  });

  test('emits name:value lines for the signed headers only, in the given order', () => {
    const headers = { host: 'h', 'x-amz-date': 'd', 'user-agent': 'ua', 'my-header1': '   a   b   c  ' };
    assert.equal(canonicalHeaders(headers, ['host', 'my-header1', 'x-amz-date']), 'host:h\nmy-header1:a b c\nx-amz-date:d\n');
  });

  test('a signed header the request lacks gets an empty value', () => {
    assert.equal(canonicalHeaders({ host: 'h' }, ['host', 'range']), 'host:h\nrange:\n');
  });

  test('does not read inherited object properties as headers', () => {
    assert.equal(canonicalHeaders({}, ['constructor']), 'constructor:\n');
  });

  test('folds values the runtime joined with ", " the AWS way when asked to', () => {
    const headers = { 'x-amz-meta-list': 'one ,  two, three' };
    assert.equal(canonicalHeaders(headers, ['x-amz-meta-list']), 'x-amz-meta-list:one , two, three\n');
    assert.equal(canonicalHeaders(headers, ['x-amz-meta-list'], { splitJoinedValues: true }), 'x-amz-meta-list:one,two,three\n');
  });
});

describe('canonicalRequest and stringToSign', () => {
  test('joins the parts with newlines, leaving the blank line after the headers', () => {
    const request = canonicalRequest({
      method: 'GET',
      uri: '/test.txt',
      query: '',
      headers: 'host:h\nx-amz-date:20130524T000000Z\n',
      signedHeaders: ['host', 'x-amz-date'],
      payloadHash: 'UNSIGNED-PAYLOAD',
    });
    assert.equal(request, 'GET\n/test.txt\n\nhost:h\nx-amz-date:20130524T000000Z\n\nhost;x-amz-date\nUNSIGNED-PAYLOAD');
  });

  test('builds the documented string to sign', () => {
    const scope = credentialScope('20130524', 'us-east-1', 's3');
    assert.equal(scope, '20130524/us-east-1/s3/aws4_request');
    assert.equal(
      stringToSign('AWS4-HMAC-SHA256', '20130524T000000Z', scope, 'abc'),
      'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\nabc',
    );
  });
});

describe('URI encoding helpers', () => {
  test('awsUriEncode keeps only unreserved characters (and slashes on request)', () => {
    assert.equal(awsUriEncode("a b/c+d=é!'()*"), 'a%20b%2Fc%2Bd%3D%C3%A9%21%27%28%29%2A');
    assert.equal(awsUriEncode('a b/c', true), 'a%20b/c');
  });

  test('percentDecode returns the bytes meant, including invalid UTF-8', () => {
    assert.deepEqual(percentDecode('%FF%00a'), Uint8Array.from([0xff, 0, 0x61]));
  });
});
