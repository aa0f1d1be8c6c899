import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalizedHeaders, canonicalizedResource, createSharedKeySigner, stringToSign } from './shared-key.ts';

const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

describe('Shared Key canonicalization', () => {
  // The examples of "Shared Key format for 2009-09-19 and later" in Azure's "Authorize with Shared Key".
  it('builds the canonicalized resource of the documented examples', () => {
    assert.equal(
      canonicalizedResource('myaccount', 'http://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata'),
      '/myaccount/mycontainer\ncomp:metadata\nrestype:container',
    );
    assert.equal(
      canonicalizedResource('myaccount', 'http://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=list&include=snapshots&include=metadata&include=uncommittedblobs'),
      '/myaccount/mycontainer\ncomp:list\ninclude:metadata,snapshots,uncommittedblobs\nrestype:container',
    );
  });

  it('keeps the path as sent, decodes query values and lower-cases query names', () => {
    assert.equal(
      canonicalizedResource('devstoreaccount1', 'http://127.0.0.1:10000/devstoreaccount1/c/a%20b/%E2%9C%93?comp=block&blockID=YWI%3D'),
      '/devstoreaccount1/devstoreaccount1/c/a%20b/%E2%9C%93\nblockid:YWI=\ncomp:block',
    );
    assert.equal(canonicalizedResource('acct', 'https://acct.blob.core.windows.net'), '/acct/');
  });

  it('sorts x-ms- headers by lower-cased name and trims values', () => {
    assert.equal(
      canonicalizedHeaders({ 'X-MS-Version': '2021-12-02', 'x-ms-date': ' Tue, 01 Dec 2026 10:00:00 GMT ', 'x-ms-meta-b': 'two  words', 'content-type': 'text/plain' }),
      'x-ms-date:Tue, 01 Dec 2026 10:00:00 GMT\nx-ms-meta-b:two words\nx-ms-version:2021-12-02\n',
    );
  });

  it('puts the standard headers in their fixed order and leaves a zero Content-Length empty', () => {
    const headers = { 'content-length': '0', 'if-match': '"0x1"', range: 'bytes=0-1', 'x-ms-version': '2021-12-02' };
    assert.equal(
      stringToSign('put', 'https://a.blob.core.windows.net/c/b', headers, 'a'),
      'PUT\n\n\n\n\n\n\n\n"0x1"\n\n\nbytes=0-1\nx-ms-version:2021-12-02\n/a/c/b',
    );
    assert.equal(stringToSign('PUT', 'https://a.blob.core.windows.net/c/b', { 'content-length': '12' }, 'a').split('\n')[3], '12');
  });

  it('signs with HMAC-SHA256 under the decoded account key', async () => {
    const url = 'http://127.0.0.1:10000/devstoreaccount1/c/blob';
    const headers = { 'x-ms-date': 'Tue, 01 Dec 2026 10:00:00 GMT', 'x-ms-version': '2021-12-02' };
    const expected = createHmac('sha256', Buffer.from(KEY, 'base64')).update(stringToSign('GET', url, headers, 'devstoreaccount1'), 'utf8').digest('base64');
    assert.equal(await createSharedKeySigner('devstoreaccount1', KEY).authorization('GET', url, headers), `SharedKey devstoreaccount1:${expected}`);
  });
});
