import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMetadataName, encodeMetadataName, metadataNameProblem } from './metadata-names.ts';
import { blobInfoFromHeaders, metadataHeaders, userMetadata } from './object-headers.ts';
import { UnsupportedMetadataError } from '../../core/backend-errors.ts';
import { toS3Error } from '../../core/errors/to-s3-error.ts';

describe('metadata name bridge', () => {
  const cases: [string, string][] = [
    ['owner', 'owner'],
    ['x-kebab-name', 'x_2dkebab_2dname'],
    ['a_b', 'a_5fb'],
    ['1st', '_31st'],
    ['v2', 'v2'],
    ['dots.and~tilde', 'dots_2eand_7etilde'],
    ['_', '_5f'],
  ];
  for (const [s3, azure] of cases) {
    it(`${JSON.stringify(s3)} ↔ ${JSON.stringify(azure)}`, () => {
      assert.equal(encodeMetadataName(s3), azure);
      assert.match(azure, /^[A-Za-z_][A-Za-z0-9_]*$/, 'a C# identifier');
      assert.equal(decodeMetadataName(azure), s3);
      assert.equal(decodeMetadataName(azure.toUpperCase()), s3, 'Azure compares names case-insensitively');
    });
  }

  it('round-trips every header-token character', () => {
    const chars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz";
    for (const ch of chars) for (const name of [ch, `x${ch}`, `${ch}x${ch}`]) assert.equal(decodeMetadataName(encodeMetadataName(name)), name, name);
  });

  it('refuses names the encoding cannot carry', () => {
    for (const name of ['', 'Upper', 'with space', 'ünï', 'a/b', 'a:b']) assert.ok(metadataNameProblem(name), name);
    assert.throws(() => encodeMetadataName('Upper'), TypeError);
  });

  it('leaves names that are not encodings (written by other clients, reserved) undecoded', () => {
    for (const name of ['my_name', '_sluice_etag', 'a_zz', 'a_61', 'a_3', 'x_31']) assert.equal(decodeMetadataName(name), undefined, name);
  });

  it('maps metadata to headers and back, hiding reserved entries and keeping foreign names', () => {
    const headers = metadataHeaders({ metadata: { 'x-kebab': 'v', owner: 'o', empty: '' }, expires: 'Wed, 21 Oct 2037 07:28:00 GMT', contentType: 'text/plain' });
    assert.deepEqual(headers, {
      'x-ms-blob-content-type': 'text/plain',
      'x-ms-meta-_sluice_expires': 'Wed, 21 Oct 2037 07:28:00 GMT',
      'x-ms-meta-x_2dkebab': 'v',
      'x-ms-meta-owner': 'o',
      'x-ms-meta-empty': '',
    });
    assert.deepEqual(userMetadata({ x_2dkebab: 'v', _sluice_etag: 'e', _sluice_expires: 'x', my_name: 'foreign' }), { 'x-kebab': 'v', my_name: 'foreign' });
  });

  it('refuses metadata it cannot store faithfully with UnsupportedMetadataError', () => {
    for (const metadata of [{ 'bad name': 'v' }, { big: 'x'.repeat(8200) }] as Record<string, string>[]) {
      assert.throws(() => metadataHeaders({ metadata }), UnsupportedMetadataError, JSON.stringify(metadata).slice(0, 40));
    }
  });

  it('stores values that are not header text as base64, listed, and reads them back exactly', () => {
    const metadata = { note: 'café ✓ 😀', padded: ' padded ', plain: 'ascii =?x?=' };
    const headers = metadataHeaders({ metadata, tagging: 'k=v%20w' });
    assert.equal(headers['x-ms-meta-plain'], 'ascii =?x?=');
    assert.equal(headers['x-ms-meta-_sluice_b64'], 'note,padded');
    assert.equal(headers['x-ms-meta-note'], Buffer.from('café ✓ 😀').toString('base64'));
    const info = blobInfoFromHeaders('k', headers, 0).info;
    assert.deepEqual(info.metadata, metadata);
    assert.equal(info.tagging, 'k=v%20w');
  });

  it('reaches the client as 400 InvalidArgument naming the header', () => {
    const error = toS3Error(new UnsupportedMetadataError('x-amz-meta-bad name', 'bad name', 'not a header token'));
    assert.equal(error?.code, 'InvalidArgument');
    assert.equal(error?.status, 400);
  });
});
