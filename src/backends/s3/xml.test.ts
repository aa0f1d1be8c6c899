/** Parsing S3's XML answers byte-exact. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  completeMultipartUploadXml,
  decodeXmlText,
  parseCompleteMultipartUpload,
  parseErrorDocument,
  parseListObjectsV2,
  parseUploadId,
} from './xml.ts';

test('decodeXmlText decodes predefined entities and numeric character references only', () => {
  assert.equal(decodeXmlText('a&amp;b&lt;c&gt;&quot;&apos;'), `a&b<c>"'`);
  assert.equal(decodeXmlText('&#13;&#x1F600;&#x9;'), '\r\u{1F600}\t');
  assert.equal(decodeXmlText('&nbsp;&unknown;'), '&nbsp;&unknown;');
});

test('parseListObjectsV2 keeps keys byte-exact when the server url-encoded them', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>base%2F</Prefix><EncodingType>url</EncodingType>
  <Contents><Key>base/a+b%2Bc%20d%0D%26</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>base/%20%20</Key><LastModified>2024-05-01T10:00:01.000Z</LastModified><ETag>"def-2"</ETag><Size>0</Size></Contents>
  <CommonPrefixes><Prefix>base/dir%2B/</Prefix></CommonPrefixes>
  <IsTruncated>true</IsTruncated><NextContinuationToken>tok+en/=</NextContinuationToken>
</ListBucketResult>`;
  const page = parseListObjectsV2(xml);
  assert.deepEqual(
    page.objects.map((o) => o.key),
    ['base/a b+c d\r&', 'base/  '],
  );
  assert.equal(page.objects[0]!.etag, '"abc"');
  assert.equal(page.objects[0]!.size, 12);
  assert.equal(page.objects[0]!.storageClass, 'STANDARD');
  assert.equal(page.objects[0]!.lastModified.toISOString(), '2024-05-01T10:00:00.000Z');
  assert.equal(page.objects[1]!.etag, '"def-2"');
  assert.equal(page.objects[1]!.storageClass, undefined);
  assert.deepEqual(page.commonPrefixes, ['base/dir+/']);
  assert.equal(page.isTruncated, true);
  assert.equal(page.nextContinuationToken, 'tok+en/=');
});

test('parseListObjectsV2 leaves keys alone when the server ignored encoding-type', () => {
  const xml = `<ListBucketResult><Contents><Key> a+b%20 &amp;&#13;</Key><ETag>abc</ETag><Size>1</Size><LastModified>2024-01-01T00:00:00Z</LastModified></Contents><IsTruncated>false</IsTruncated></ListBucketResult>`;
  const page = parseListObjectsV2(xml);
  assert.equal(page.objects[0]!.key, ' a+b%20 &\r');
  assert.equal(page.objects[0]!.etag, '"abc"');
  assert.equal(page.isTruncated, false);
  assert.equal(page.nextContinuationToken, undefined);
  assert.deepEqual(page.commonPrefixes, []);
});

test('parseListObjectsV2 reads an empty listing and a single entry as lists', () => {
  assert.deepEqual(parseListObjectsV2('<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>'), {
    objects: [],
    commonPrefixes: [],
    isTruncated: false,
  });
  const one = parseListObjectsV2('<ListBucketResult><CommonPrefixes><Prefix>x/</Prefix></CommonPrefixes></ListBucketResult>');
  assert.deepEqual(one.commonPrefixes, ['x/']);
  assert.throws(() => parseListObjectsV2('<Error><Code>X</Code></Error>'), SyntaxError);
});

test('parseErrorDocument extracts code, message, request id and object size', () => {
  const doc = parseErrorDocument(
    '<?xml version="1.0"?><Error><Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message><ActualObjectSize>42</ActualObjectSize><RequestId>R1</RequestId></Error>',
  );
  assert.deepEqual(doc, { code: 'InvalidRange', message: 'The requested range is not satisfiable', requestId: 'R1', actualObjectSize: 42 });
  assert.deepEqual(parseErrorDocument(''), {});
  assert.deepEqual(parseErrorDocument('not xml <<<'), {});
});

test('multipart documents: upload id, completion result or embedded error, request body', () => {
  assert.equal(parseUploadId('<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u&amp;1</UploadId></InitiateMultipartUploadResult>'), 'u&1');
  assert.throws(() => parseUploadId('<Other/>'), SyntaxError);
  assert.deepEqual(parseCompleteMultipartUpload('<CompleteMultipartUploadResult><ETag>&quot;e-2&quot;</ETag></CompleteMultipartUploadResult>'), { etag: '"e-2"' });
  assert.deepEqual(
    parseCompleteMultipartUpload('<?xml version="1.0"?><CompleteMultipartUploadResponse xmlns="x"><Key>k</Key><ETag>"f-3"</ETag></CompleteMultipartUploadResponse>'),
    { etag: '"f-3"' },
  );
  assert.equal(parseCompleteMultipartUpload('<?xml version="1.0"?>\n<Error><Code>InternalError</Code></Error>'), undefined);
  assert.equal(parseCompleteMultipartUpload('<CompleteMultipartUploadResult><Key>k</Key></CompleteMultipartUploadResult>'), undefined);
  assert.equal(
    completeMultipartUploadXml([{ partNumber: 1, etag: '"a"' }, { partNumber: 2, etag: '"b"' }]),
    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part></CompleteMultipartUpload>',
  );
});
