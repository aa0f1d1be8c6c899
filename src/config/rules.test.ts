import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accessKeyIdProblem,
  allowedHeaderProblem,
  bucketNameProblem,
  connectionNameProblem,
  endpointProblem,
  expiryProblem,
  grantPrefixProblem,
  headerNameProblem,
  hostnameProblem,
  listenProblem,
  masterKeyProblem,
  normalizePrefix,
  originProblem,
  parseExpiry,
  prefixProblem,
  regionProblem,
} from './rules.ts';

describe('bucketNameProblem', () => {
  it('accepts names that follow the S3 rules', () => {
    for (const name of ['abc', 'example', 'my-data.2024', 'a'.repeat(63), '1st-bucket']) {
      assert.equal(bucketNameProblem(name), undefined, name);
    }
  });

  it('rejects names outside the S3 rules, each with a reason', () => {
    const cases: [string, RegExp][] = [
      ['ab', /3 to 63/],
      ['a'.repeat(64), /3 to 63/],
      ['MyBucket', /lowercase/],
      ['my_bucket', /lowercase letters, digits, dots and hyphens/],
      ['-abc', /begin and end/],
      ['abc.', /begin and end/],
      ['a..b', /adjacent dots/],
      ['192.168.5.4', /IP address/],
      ['xn--abc', /reserved prefix "xn--"/],
      ['sthree-data', /reserved prefix/],
      ['data-s3alias', /reserved suffix "-s3alias"/],
      ['data--x-s3', /reserved suffix/],
    ];
    for (const [name, pattern] of cases) assert.match(bucketNameProblem(name) ?? '', pattern, name);
  });
});

describe('listenProblem', () => {
  it('accepts IPv4, host names, bracketed IPv6 and port 0', () => {
    for (const listen of ['127.0.0.1:9000', '0.0.0.0:80', 'localhost:0', '[::1]:9000', '[::]:65535', 'sluice.internal:8080']) {
      assert.equal(listenProblem(listen), undefined, listen);
    }
  });

  it('rejects missing parts, bad ports and unbracketed IPv6', () => {
    for (const listen of ['9000', ':9000', 'localhost', 'localhost:', 'localhost:http', 'host:65536', '::1:9000', 'http://localhost:9000', 'a b:1']) {
      assert.ok(listenProblem(listen), listen);
    }
    assert.match(listenProblem('host:70000') ?? '', /between 0 and 65535/);
  });
});

describe('hostnameProblem', () => {
  it('accepts single and multi-label names in any case', () => {
    for (const host of ['localhost', 's3.example.com', 'S3.Example.COM', 'a-b.c']) assert.equal(hostnameProblem(host), undefined, host);
  });

  it('rejects schemes, ports, trailing dots, underscores and edge hyphens', () => {
    for (const host of ['https://example.com', 'example.com:9000', 'example.com.', 'my_host.com', '-a.com', 'a-.com', '', 'a..b']) {
      assert.ok(hostnameProblem(host), host);
    }
  });
});

describe('regionProblem', () => {
  it('accepts AWS-style and simple custom regions', () => {
    for (const region of ['us-east-1', 'eu-central-2', 'auto', 'local']) assert.equal(regionProblem(region), undefined, region);
  });
  it('rejects upper case, spaces and slashes', () => {
    for (const region of ['US-EAST-1', 'us east', 'us/east', '-us', '']) assert.ok(regionProblem(region), region);
  });
});

describe('prefixProblem and normalizePrefix', () => {
  it('accepts "" and relative folder paths with or without a trailing slash', () => {
    for (const prefix of ['', 'climate', 'climate/', 'a/b/c/', 'data-2024']) assert.equal(prefixProblem(prefix), undefined, prefix);
  });

  it('rejects leading slashes, empty segments, dot segments and control characters', () => {
    assert.match(prefixProblem('/climate/') ?? '', /leading "\/"/);
    assert.match(prefixProblem('a//b/') ?? '', /empty path segments/);
    assert.match(prefixProblem('a/../b/') ?? '', /"\." or "\.\."/);
    assert.match(prefixProblem('./a') ?? '', /"\." or "\.\."/);
    assert.match(prefixProblem('a\u0000b') ?? '', /control characters/);
  });

  it('adds the trailing slash so a prefix always names a folder', () => {
    assert.equal(normalizePrefix(''), '');
    assert.equal(normalizePrefix('climate'), 'climate/');
    assert.equal(normalizePrefix('climate/'), 'climate/');
  });
});

describe('originProblem', () => {
  it('accepts "*" and exact origins with optional ports', () => {
    for (const origin of ['*', 'https://example.com', 'http://localhost:5173', 'https://data.example.org:8443']) {
      assert.equal(originProblem(origin), undefined, origin);
    }
  });
  it('rejects paths, trailing slashes, upper-case hosts, wildcards and non-URLs', () => {
    for (const origin of ['https://example.com/', 'https://example.com/app', 'https://Example.com', 'https://*.example.com', 'example.com', 'null']) {
      assert.ok(originProblem(origin), origin);
    }
  });
});

describe('header name rules', () => {
  it('allows "*" only where a preflight may ask for any header', () => {
    assert.equal(allowedHeaderProblem('*'), undefined);
    assert.equal(allowedHeaderProblem('x-amz-date'), undefined);
    assert.ok(allowedHeaderProblem('x-amz-*'));
    assert.ok(headerNameProblem('*'));
    assert.ok(headerNameProblem('x-amz-meta-*'));
    assert.ok(headerNameProblem('bad header'));
    assert.equal(headerNameProblem('x-amz-version-id'), undefined);
  });
});

describe('connectionNameProblem', () => {
  it('accepts plain identifiers and rejects spaces, slashes and leading punctuation', () => {
    for (const name of ['local', 'fs_1', 'Archive.Main', 'a']) assert.equal(connectionNameProblem(name), undefined, name);
    for (const name of ['', 'my conn', 'a/b', '-x', '.hidden']) assert.ok(connectionNameProblem(name), name);
  });
});

describe('endpointProblem', () => {
  it('accepts http and https URLs, with or without port and path', () => {
    for (const url of ['https://s3.us-west-2.amazonaws.com', 'http://127.0.0.1:9000', 'https://gw.example.org/s3/', 'http://[::1]:4566']) {
      assert.equal(endpointProblem(url), undefined, url);
    }
  });

  it('rejects other schemes, credentials, queries and fragments', () => {
    const cases: [string, RegExp][] = [
      ['s3.amazonaws.com', /http or https URL/],
      ['ftp://s3.example.com', /http or https URL/],
      ['https://KEY:SECRET@s3.example.com', /user name or password/],
      ['https://s3.example.com/?versioning', /query string/],
      ['https://s3.example.com?', /query string/],
      ['https://s3.example.com/#top', /fragment/],
    ];
    for (const [url, pattern] of cases) assert.match(endpointProblem(url) ?? '', pattern, url);
  });

  it('does not repeat credentials written into the URL', () => {
    assert.equal(endpointProblem('https://KEY:SECRET@s3.example.com')!.includes('SECRET'), false);
  });
});

describe('accessKeyIdProblem', () => {
  it('accepts 16 to 128 upper-case letters and digits', () => {
    for (const id of ['SLAKEXAMPLEKEYAAAAAA', 'AKIAIOSFODNN7EXAMPLE', 'A'.repeat(16), '9'.repeat(128)]) {
      assert.equal(accessKeyIdProblem(id), undefined, id);
    }
  });

  it('rejects short, long, lower-case and punctuated ids', () => {
    for (const id of ['A'.repeat(15), 'A'.repeat(129), 'slakexamplekeyaaaaaa', 'SLAK-EXAMPLE-KEY-AAAA', 'SLAK EXAMPLEKEYAAAAA']) {
      assert.match(accessKeyIdProblem(id) ?? '', /16 to 128 characters of A-Z and 0-9/, id);
    }
  });
});

describe('grantPrefixProblem', () => {
  it('accepts relative prefixes, with or without a trailing slash', () => {
    for (const prefix of ['data', 'models/2024', 'models/2024/', 'a b/ü']) assert.equal(grantPrefixProblem(prefix), undefined, prefix);
  });

  it('rejects empty prefixes and a leading slash', () => {
    assert.match(grantPrefixProblem('') ?? '', /must not be empty/);
    assert.match(grantPrefixProblem('/data') ?? '', /leading "\/"/);
  });
});

describe('expiryProblem and parseExpiry', () => {
  it('reads a date as 00:00 UTC of that day', () => {
    assert.equal(expiryProblem('2027-06-30'), undefined);
    assert.equal(parseExpiry('2027-06-30').toISOString(), '2027-06-30T00:00:00.000Z');
  });

  it('reads date-times with Z or an offset, with or without seconds and fractions', () => {
    const cases: [string, string][] = [
      ['2027-06-30T12:00:00Z', '2027-06-30T12:00:00.000Z'],
      ['2027-06-30T12:00Z', '2027-06-30T12:00:00.000Z'],
      ['2027-06-30T12:00:00.250+02:00', '2027-06-30T10:00:00.250Z'],
      ['2027-06-30T23:30:00-05:00', '2027-07-01T04:30:00.000Z'],
    ];
    for (const [text, iso] of cases) {
      assert.equal(expiryProblem(text), undefined, text);
      assert.equal(parseExpiry(text).toISOString(), iso, text);
    }
  });

  it('rejects date-times without a zone, other formats and impossible dates', () => {
    const cases: [string, RegExp][] = [
      ['2027-06-30T12:00:00', /with a time zone/],
      ['30/06/2027', /must be a date/],
      ['2027-6-30', /must be a date/],
      ['tomorrow', /must be a date/],
      ['2027-02-30', /not a calendar date/],
      ['2027-13-01', /not a calendar date/],
      ['2027-06-30T24:00:00Z', /not a valid time/],
      ['2027-06-30T12:60:00Z', /not a valid time/],
    ];
    for (const [text, pattern] of cases) assert.match(expiryProblem(text) ?? '', pattern, text);
  });
});

describe('masterKeyProblem', () => {
  it('accepts base64 of 32 bytes', () => {
    assert.equal(masterKeyProblem(btoa(String.fromCharCode(...new Uint8Array(32).fill(7)))), undefined);
  });

  it('rejects other lengths and text that is not base64, without repeating it', () => {
    for (const text of [btoa('sixteen bytes!!!'), 'not base64 at all!', '']) {
      const message = masterKeyProblem(text);
      assert.match(message ?? '', /32 random bytes written as base64/);
      if (text !== '') assert.equal(message!.includes(text), false);
    }
  });
});
