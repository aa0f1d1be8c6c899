/**
 * The console's uploads cancelled between requests (no browser needed: the
 * upload logic runs in Node against a recording XMLHttpRequest and S3
 * client). Cancel can come while no part is in flight — while the multipart
 * upload is being created, or in the pause before a retry — and must stop
 * the upload there: no part sent afterwards, and the upload made on the
 * server aborted.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { S3Client } from '../../console/src/s3/client.ts';
import { MULTIPART_THRESHOLD, Upload } from '../../console/src/s3/upload.ts';

/** Records every request sent; `answer` decides how each ends. */
class RecordingXhr {
  static sent: string[] = [];
  static answer: (xhr: RecordingXhr) => void = (xhr) => xhr.succeed();
  url = '';
  status = 0;
  responseText = '';
  upload: { onprogress: ((event: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(_method: string, url: string): void {
    this.url = url;
  }
  setRequestHeader(): void {}
  getResponseHeader(): string {
    return '"etag"';
  }
  send(): void {
    RecordingXhr.sent.push(this.url);
    queueMicrotask(() => RecordingXhr.answer(this));
  }
  abort(): void {
    this.onabort?.();
  }
  succeed(): void {
    this.status = 200;
    this.onload?.();
  }
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  return { promise: new Promise<T>((r) => (resolve = r)), resolve };
}

function recordingClient(created: Promise<string>): { client: S3Client; aborted: string[] } {
  const aborted: string[] = [];
  const client = {
    url: ({ query }: { query?: Record<string, string> }) => `http://sluice.test/data/big.bin?${new URLSearchParams(query ?? {})}`,
    headersFor: async (_method: string, _url: string, headers: Record<string, string> = {}) => headers,
    createMultipartUpload: () => created,
    listParts: async () => [],
    completeMultipartUpload: async () => {},
    abortMultipartUpload: async (_bucket: string, _key: string, uploadId: string) => void aborted.push(uploadId),
  } as unknown as S3Client;
  return { client, aborted };
}

const bigFile = () => new File([new Uint8Array(MULTIPART_THRESHOLD + 1024)], 'big.bin');

describe('console uploads cancelled between requests', () => {
  beforeEach(() => {
    RecordingXhr.sent = [];
    RecordingXhr.answer = (xhr) => xhr.succeed();
    (globalThis as Record<string, unknown>).XMLHttpRequest = RecordingXhr;
  });
  afterEach(() => {
    delete (globalThis as Record<string, unknown>).XMLHttpRequest;
  });

  it('cancelled while the multipart upload is being created: no part is sent, and the upload made meanwhile is aborted', async () => {
    const created = deferred<string>();
    const { client, aborted } = recordingClient(created.promise);
    const upload = new Upload(client, 'data', 'big.bin', bigFile(), () => {});
    const running = upload.start();
    await upload.abort();
    created.resolve('UPLOAD-1');
    await running;
    assert.deepEqual(RecordingXhr.sent, [], 'no part sent after Cancel');
    assert.deepEqual(aborted, ['UPLOAD-1']);
    assert.equal(upload.progress.state, 'aborted');
  });

  it('cancelled in the pause before a retry: the part is not sent again', async () => {
    RecordingXhr.answer = (xhr) => xhr.onerror?.();
    const { client, aborted } = recordingClient(Promise.resolve('UPLOAD-2'));
    const upload = new Upload(client, 'data', 'big.bin', bigFile(), () => {});
    const running = upload.start();
    // Bounded: wait for the first attempt to fail and the retry's pause to begin.
    for (let i = 0; i < 100 && upload.progress.retrying === undefined; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(upload.progress.retrying, 1);
    await upload.abort();
    await running;
    assert.equal(RecordingXhr.sent.length, 1, `one attempt only: ${RecordingXhr.sent.join(', ')}`);
    assert.deepEqual(aborted, ['UPLOAD-2']);
    assert.equal(upload.progress.state, 'aborted');
  });
});
