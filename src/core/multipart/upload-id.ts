/**
 * Upload ids as clients see them: the backend's own id sealed with an HMAC
 * over the connection, bucket and key it was created for. A client cannot
 * forge one, and an id issued for one object is refused (404 NoSuchUpload,
 * as S3 answers for an unknown id) when presented with another bucket or
 * key — so authorizing the write on the named object is enough to let the
 * caller touch the upload. Backends bind their ids to keys too; this seal
 * holds even for a backend that does not. The upload's checksum algorithm
 * and type travel sealed inside the id too, so each part and the completion
 * are checked against them without asking the backend.
 */
import { fromBase64, toBase64Url } from '../base64.ts';
import { NoSuchUploadError } from '../backend-errors.ts';
import type { MultipartChecksum } from './checksum.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAC_BYTES = 16;
/** Keeps these MACs apart from any other the same secret makes (list tokens). */
const DOMAIN = 'sluice-upload-id-v1';

/** Where an upload lives: the connection, the client's bucket name, and the key within it. */
export interface UploadBinding {
  connection: string;
  bucket: string;
  key: string;
}

export class UploadIdCodec {
  private readonly hmacKey: Promise<CryptoKey>;

  constructor(secret: Uint8Array) {
    this.hmacKey = crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  }

  async seal(backendId: string, binding: UploadBinding, checksum?: MultipartChecksum): Promise<string> {
    const payload = encoder.encode(checksum ? `${backendId}\n${checksum.algorithm}:${checksum.type}` : backendId);
    return `${toBase64Url(payload)}.${toBase64Url(await this.mac(payload, binding))}`;
  }

  /** The backend's id inside a client's upload id, or NoSuchUpload. */
  async open(uploadId: string, binding: UploadBinding): Promise<string> {
    return (await this.openUpload(uploadId, binding)).id;
  }

  /** The backend's id and the upload's checksum, or NoSuchUpload. */
  async openUpload(uploadId: string, binding: UploadBinding): Promise<{ id: string; checksum?: MultipartChecksum }> {
    const [payloadText, macText, extra] = uploadId.split('.');
    const payload = payloadText === undefined || payloadText === '' ? null : decodeBase64Url(payloadText);
    const mac = macText === undefined ? null : decodeBase64Url(macText);
    if (extra !== undefined || payload === null || mac === null || !constantTimeEqual(mac, await this.mac(payload, binding))) {
      throw new NoSuchUploadError(uploadId);
    }
    const text = decoder.decode(payload);
    const newline = text.indexOf('\n');
    if (newline === -1) return { id: text };
    const [algorithm, type] = text.slice(newline + 1).split(':') as [string, MultipartChecksum['type']];
    return { id: text.slice(0, newline), checksum: { algorithm, type } };
  }

  private async mac(payload: Uint8Array, binding: UploadBinding): Promise<Uint8Array> {
    const context = encoder.encode(JSON.stringify([DOMAIN, binding.connection, binding.bucket, binding.key]));
    const message = new Uint8Array(context.byteLength + 1 + payload.byteLength);
    message.set(context, 0);
    message.set(payload, context.byteLength + 1);
    const full = new Uint8Array(await crypto.subtle.sign('HMAC', await this.hmacKey, message));
    return full.slice(0, MAC_BYTES);
  }
}

function decodeBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    return fromBase64(text);
  } catch {
    return null;
  }
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
