import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteNotAllowedError } from '../../core/backend-errors.ts';
import { bytesBody } from '../../core/body.ts';
import type { HttpClient, OutboundRequest } from '../../core/http.ts';
import { staticTokenProvider, type AzureAuth } from './auth.ts';
import { AzureBackend } from './azure-backend.ts';

/** Records requests and answers each HEAD as an existing 3-byte blob. */
function recordingClient(): HttpClient & { requests: OutboundRequest[] } {
  const requests: OutboundRequest[] = [];
  return {
    requests,
    async request(req) {
      requests.push(req);
      return { status: 200, headers: { 'content-length': '3', etag: '"0x1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }, body: bytesBody('') };
    },
  };
}

function backend(auth: AzureAuth, http: HttpClient) {
  return new AzureBackend({ account: 'acct', container: 'data', auth, http, now: () => new Date('2026-12-01T10:00:00Z') });
}

describe('Azure request authorization', () => {
  it('Shared Key signs with the account name and sends the version and date', async () => {
    const http = recordingClient();
    await backend({ kind: 'sharedKey', accountKey: 'a2V5' }, http).head('k');
    const req = http.requests[0]!;
    assert.equal(req.url, 'https://acct.blob.core.windows.net/data/k');
    assert.match(req.headers.authorization!, /^SharedKey acct:[A-Za-z0-9+/]{43}=$/);
    assert.equal(req.headers['x-ms-date'], 'Tue, 01 Dec 2026 10:00:00 GMT');
    assert.ok(req.headers['x-ms-version']);
  });

  it('a SAS token is appended to the query and nothing signs', async () => {
    const http = recordingClient();
    await backend({ kind: 'sas', token: '?sv=2021-12-02&sig=abc%2B' }, http).head('dir/k');
    assert.equal(http.requests[0]!.url, 'https://acct.blob.core.windows.net/data/dir/k?sv=2021-12-02&sig=abc%2B');
    assert.equal(http.requests[0]!.headers.authorization, undefined);
  });

  it('a token provider supplies a bearer token for every request', async () => {
    const http = recordingClient();
    await backend({ kind: 'bearer', provider: staticTokenProvider('eyJ.token') }, http).head('k');
    assert.equal(http.requests[0]!.headers.authorization, 'Bearer eyJ.token');
  });

  it('a failing token provider is a backend outage, not a crash', async () => {
    const http = recordingClient();
    const failing = { token: async () => Promise.reject(new Error('token endpoint down')) };
    await assert.rejects(backend({ kind: 'bearer', provider: failing }, http).head('k'), { name: 'BackendUnavailableError' });
    assert.equal(http.requests.length, 0);
  });

  it('anonymous access reads but refuses writes before any request', async () => {
    const http = recordingClient();
    const anonymous = backend({ kind: 'none' }, http);
    assert.equal(anonymous.writable, false);
    await anonymous.head('k');
    assert.equal(http.requests[0]!.headers.authorization, undefined);
    await assert.rejects(anonymous.put('k', bytesBody('x'), { metadata: {} }), WriteNotAllowedError);
    await assert.rejects(anonymous.delete('k'), WriteNotAllowedError);
    assert.equal(http.requests.length, 1);
  });
});
