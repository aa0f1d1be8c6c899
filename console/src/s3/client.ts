/**
 * S3 from the browser against the Sluice that served the console (path-style
 * URLs on the same origin). Requests are signed with the project's own SigV4
 * signer over WebCrypto when the user has signed in, and sent unsigned
 * otherwise (public buckets).
 */
import { presignUrl, signRequest } from '../../../src/auth/sigv4/sign-request.ts';
import { awsUriEncode } from '../../../src/auth/sigv4/uri-encode.ts';
import type { SessionCredentials } from './credentials.ts';
import { errorFromResponse, S3RequestError } from './errors.ts';
import { childText, elements, firstText, parseXml } from './xml.ts';

export interface S3Target {
  bucket?: string;
  key?: string;
  query?: Record<string, string | undefined>;
}

export interface ObjectSummary {
  key: string;
  size: number;
  lastModified?: Date;
  etag?: string;
}

export interface Listing {
  folders: string[];
  objects: ObjectSummary[];
  nextToken?: string;
}

export interface ObjectHead {
  size: number;
  contentType: string;
  etag: string;
  lastModified?: Date;
  metadata: Record<string, string>;
}

export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
}

export class S3Client {
  constructor(
    readonly origin: string,
    readonly region: string,
    private readonly credentials: () => SessionCredentials | undefined,
  ) {}

  get signedIn(): boolean {
    return this.credentials() !== undefined;
  }

  /** The URL of a bucket, key and query, encoded once, the way it is signed. */
  url({ bucket, key, query }: S3Target): string {
    let path = '/';
    if (bucket !== undefined) path += awsUriEncode(bucket);
    if (key !== undefined) path += `/${awsUriEncode(key, true)}`;
    const params = Object.entries(query ?? {})
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => (value === '' ? awsUriEncode(name) : `${awsUriEncode(name)}=${awsUriEncode(value)}`));
    return `${this.origin}${path}${params.length > 0 ? `?${params.join('&')}` : ''}`;
  }

  /** The headers to send for a request: signed when signed in; `host` is the browser's to set. */
  async headersFor(method: string, url: string, headers: Record<string, string> = {}): Promise<Record<string, string>> {
    const creds = this.credentials();
    if (!creds) return headers;
    const signed = await signRequest({ method, url, headers }, creds, { region: this.region, service: 's3' });
    delete signed.host;
    return signed;
  }

  async send(method: string, target: S3Target, init: { headers?: Record<string, string>; body?: BodyInit } = {}): Promise<Response> {
    const url = this.url(target);
    const headers = await this.headersFor(method, url, init.headers);
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: init.body ?? null, credentials: 'omit', cache: 'no-store' });
    } catch (error) {
      throw new S3RequestError(0, 'NetworkError', error instanceof Error ? error.message : String(error));
    }
    if (!response.ok) throw errorFromResponse(response.status, method === 'HEAD' ? '' : await response.text(), response.headers);
    return response;
  }

  async listBuckets(): Promise<string[]> {
    const doc = parseXml(await (await this.send('GET', {})).text());
    return elements(doc, 'Bucket').map((bucket) => childText(bucket, 'Name') ?? '').filter((name) => name !== '');
  }

  async list(bucket: string, prefix: string, token?: string, maxKeys = 200): Promise<Listing> {
    const response = await this.send('GET', {
      bucket,
      query: { 'list-type': '2', delimiter: '/', prefix, 'continuation-token': token, 'max-keys': String(maxKeys) },
    });
    const doc = parseXml(await response.text());
    const folders = elements(doc, 'CommonPrefixes').map((entry) => childText(entry, 'Prefix') ?? '');
    const objects = elements(doc, 'Contents').map((entry): ObjectSummary => {
      const modified = childText(entry, 'LastModified');
      return {
        key: childText(entry, 'Key') ?? '',
        size: Number(childText(entry, 'Size') ?? 0),
        ...(modified && { lastModified: new Date(modified) }),
        etag: childText(entry, 'ETag'),
      };
    });
    const truncated = firstText(doc, 'IsTruncated') === 'true';
    const next = firstText(doc, 'NextContinuationToken');
    return { folders, objects, ...(truncated && next && { nextToken: next }) };
  }

  async head(bucket: string, key: string): Promise<ObjectHead> {
    const response = await this.send('HEAD', { bucket, key });
    const metadata: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
    });
    const modified = response.headers.get('last-modified');
    return {
      size: Number(response.headers.get('content-length') ?? 0),
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      etag: response.headers.get('etag') ?? '',
      ...(modified && { lastModified: new Date(modified) }),
      metadata,
    };
  }

  /** The first `limit` bytes of an object. */
  async getRange(bucket: string, key: string, limit: number): Promise<Blob> {
    const response = await this.send('GET', { bucket, key }, { headers: { range: `bytes=0-${limit - 1}` } });
    return response.blob();
  }

  async putEmpty(bucket: string, key: string): Promise<void> {
    await this.send('PUT', { bucket, key }, { headers: { 'content-type': 'application/x-directory' }, body: new Uint8Array(0) });
  }

  async delete(bucket: string, key: string): Promise<void> {
    await this.send('DELETE', { bucket, key });
  }

  async createMultipartUpload(bucket: string, key: string, contentType: string): Promise<string> {
    const response = await this.send('POST', { bucket, key, query: { uploads: '' } }, { headers: { 'content-type': contentType } });
    const uploadId = firstText(parseXml(await response.text()), 'UploadId');
    if (!uploadId) throw new S3RequestError(500, 'InvalidResponse', 'CreateMultipartUpload returned no UploadId');
    return uploadId;
  }

  async listParts(bucket: string, key: string, uploadId: string): Promise<PartInfo[]> {
    const parts: PartInfo[] = [];
    let marker: string | undefined;
    // Bounded: 10,000 parts at most, 1,000 a page.
    for (let page = 0; page < 11; page++) {
      const response = await this.send('GET', { bucket, key, query: { uploadId, 'part-number-marker': marker } });
      const doc = parseXml(await response.text());
      for (const part of elements(doc, 'Part')) {
        parts.push({ partNumber: Number(childText(part, 'PartNumber')), etag: childText(part, 'ETag') ?? '', size: Number(childText(part, 'Size') ?? 0) });
      }
      if (firstText(doc, 'IsTruncated') !== 'true') break;
      marker = firstText(doc, 'NextPartNumberMarker');
    }
    return parts;
  }

  async completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: PartInfo[]): Promise<void> {
    const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const body = `<CompleteMultipartUpload>${[...parts]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escape(p.etag)}</ETag></Part>`)
      .join('')}</CompleteMultipartUpload>`;
    const response = await this.send('POST', { bucket, key, query: { uploadId } }, { headers: { 'content-type': 'application/xml' }, body });
    // CompleteMultipartUpload may answer 200 with an error document.
    const answer = await response.text();
    if (answer.includes('<Error>')) throw errorFromResponse(500, answer);
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    await this.send('DELETE', { bucket, key, query: { uploadId } });
  }

  /** A link to GET the object: presigned for `seconds` when signed in, the plain URL otherwise. */
  async presignGet(bucket: string, key: string, seconds: number, disposition?: string): Promise<string> {
    const creds = this.credentials();
    const query = disposition ? { 'response-content-disposition': disposition } : undefined;
    const url = this.url({ bucket, key, ...(query && creds && { query }) });
    if (!creds) return url;
    return presignUrl({ method: 'GET', url }, creds, { region: this.region, service: 's3', expiresIn: seconds });
  }
}
