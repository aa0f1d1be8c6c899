/**
 * CreateBucketConfiguration documents and S3's location rules for a
 * single-region server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { S3Error } from '../errors/s3-error.ts';
import { checkLocationConstraint, parseCreateBucketConfiguration } from './create-bucket-configuration.ts';

const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const doc = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><CreateBucketConfiguration ${NS}>${inner}</CreateBucketConfiguration>`;

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof S3Error, String(error));
    return error.code;
  }
  return 'no error';
}

test('the constraint is read from the document; an empty body or document names none', () => {
  assert.equal(parseCreateBucketConfiguration(''), undefined);
  assert.equal(parseCreateBucketConfiguration('  \n'), undefined);
  assert.equal(parseCreateBucketConfiguration(doc('')), undefined);
  assert.equal(parseCreateBucketConfiguration(`<CreateBucketConfiguration ${NS}/>`), undefined);
  assert.equal(parseCreateBucketConfiguration(doc('<LocationConstraint>eu-west-1</LocationConstraint>')), 'eu-west-1');
  assert.equal(parseCreateBucketConfiguration(doc('<LocationConstraint></LocationConstraint>')), '');
});

test('malformed or foreign documents are MalformedXML; directory-bucket and tag settings are not offered', () => {
  for (const text of ['<CreateBucketConfiguration>', 'not xml', '<Other/>', doc('<Unknown>x</Unknown>'), doc('<LocationConstraint><a/></LocationConstraint>'),
    '<!DOCTYPE x [<!ENTITY a "b">]><CreateBucketConfiguration/>']) {
    assert.equal(code(() => parseCreateBucketConfiguration(text)), 'MalformedXML', text);
  }
  assert.equal(code(() => parseCreateBucketConfiguration(doc('<Location><Name>usw2-az1</Name><Type>AvailabilityZone</Type></Location>'))), 'NotImplemented');
  assert.equal(code(() => parseCreateBucketConfiguration(doc('<Tags><Tag><Key>a</Key><Value>b</Value></Tag></Tags>'))), 'NotImplemented');
});

test('a us-east-1 server: no constraint; an explicit us-east-1 is invalid, another region illegal', () => {
  assert.equal(code(() => checkLocationConstraint(undefined, 'us-east-1')), 'no error');
  assert.equal(code(() => checkLocationConstraint('', 'us-east-1')), 'no error');
  assert.equal(code(() => checkLocationConstraint('us-east-1', 'us-east-1')), 'InvalidLocationConstraint');
  assert.equal(code(() => checkLocationConstraint('eu-west-1', 'us-east-1')), 'IllegalLocationConstraintException');
  assert.equal(code(() => checkLocationConstraint('moon-base', 'us-east-1')), 'InvalidLocationConstraint');
});

test('a server in another region needs its own region named', () => {
  assert.equal(code(() => checkLocationConstraint('eu-central-1', 'eu-central-1')), 'no error');
  assert.equal(code(() => checkLocationConstraint(undefined, 'eu-central-1')), 'IllegalLocationConstraintException');
  assert.equal(code(() => checkLocationConstraint('eu-west-1', 'eu-central-1')), 'IllegalLocationConstraintException');
  assert.equal(code(() => checkLocationConstraint('EU', 'eu-west-1')), 'no error');
  assert.equal(code(() => checkLocationConstraint('EU', 'eu-central-1')), 'IllegalLocationConstraintException');
});
