/**
 * Reads against a service double that misbehaves in ways Azurite does not:
 * the backend must never label a whole body as a range.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackendError } from '../../core/backend-errors.ts';
import { bytesBody, readAll } from '../../core/body.ts';
import type { HttpClient } from '../../core/http.ts';
import { AzureBackend } from './azure-backend.ts';

/** Answers every GET with the whole 10-byte blob and status 200, whatever range was asked for. */
const ignoresRanges: HttpClient = {
  async request() {
    return { status: 200, headers: { 'content-length': '10', etag: '"0x1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }, body: bytesBody('0123456789') };
  },
};

function backend() {
  return new AzureBackend({ account: 'acct', container: 'data', auth: { kind: 'none' }, http: ignoresRanges });
}

describe('Azure ranged reads', () => {
  it('refuses a whole body sent for a partial range', async () => {
    await assert.rejects(backend().get('k', { range: { kind: 'bounded', first: 2, last: 5 } }), BackendError);
  });

  it('accepts a whole body for a range that covers all of it', async () => {
    const got = await backend().get('k', { range: { kind: 'from', first: 0 } });
    assert.deepEqual(got.range, { start: 0, end: 9 });
    assert.equal(new TextDecoder().decode(await readAll(got.body)), '0123456789');
  });
});
