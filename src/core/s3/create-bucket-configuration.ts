/**
 * CreateBucket's optional request document, `CreateBucketConfiguration`,
 * and the location rules S3 applies to it. A Sluice server is one region
 * (`server.region`), so a bucket can be created only there:
 * - in us-east-1 the constraint is left out (S3 refuses an explicit
 *   "us-east-1" as InvalidLocationConstraint);
 * - elsewhere it must name the server's region (leaving it out is
 *   IllegalLocationConstraintException, as at a regional S3 endpoint);
 * - another region is IllegalLocationConstraintException, something that is
 *   no region at all InvalidLocationConstraint.
 * `EU` is S3's old name for eu-west-1 and is accepted there.
 */
import { S3Error, notImplemented } from '../errors/s3-error.ts';
import { childElement, elementText, malformedXml, parseXmlDocument } from './xml-read.ts';

const KNOWN_ELEMENTS = new Set(['LocationConstraint', 'Location', 'Bucket', 'Tags']);
const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;

/** The LocationConstraint the document names; undefined for an empty body or no constraint. */
export function parseCreateBucketConfiguration(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  const root = childElement(parseXmlDocument(text, []), 'CreateBucketConfiguration');
  if (root === undefined) throw malformedXml();
  if (root === '') return undefined;
  if (typeof root !== 'object' || root === null) throw malformedXml();
  for (const name of Object.keys(root)) {
    if (!KNOWN_ELEMENTS.has(name)) throw malformedXml();
  }
  if ('Location' in root || 'Bucket' in root) throw notImplemented('directory buckets');
  if ('Tags' in root) throw notImplemented('bucket tags');
  const constraint = childElement(root, 'LocationConstraint');
  if (constraint === undefined) return undefined;
  const value = elementText(constraint);
  if (value === undefined) throw malformedXml();
  return value;
}

/** Throws the error S3 gives when `constraint` does not fit an endpoint in `region`. */
export function checkLocationConstraint(constraint: string | undefined, region: string): void {
  const named = constraint === 'EU' ? 'eu-west-1' : constraint;
  if (named === undefined || named === '') {
    if (region === 'us-east-1') return;
    throw new S3Error('IllegalLocationConstraintException', 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.');
  }
  if (!REGION.test(named) || named === 'us-east-1') {
    throw new S3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', { LocationConstraint: constraint! });
  }
  if (named !== region) {
    throw new S3Error('IllegalLocationConstraintException', `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`);
  }
}
