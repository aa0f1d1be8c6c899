/**
 * Suite: a client that goes away mid-download releases the backend read. In
 * process the client cancels the response body; over HTTP it destroys the
 * socket. Either way the backend's source stream must be cancelled, promptly
 * and without the download running on to its (endless) end.
 */
import assert from 'node:assert/strict';
import { ENDLESS_KEY } from './probe-backend.ts';
import { ENDLESS_BUCKET, type SuiteRegistry } from './suite-support.ts';

export function registerDisconnectTests({ test }: SuiteRegistry): void {
  test('a client that goes away mid-download cancels the backend read', async ({ gateway, probe }) => {
    const status = await gateway.abandonAfterFirstBytes({ target: `/${ENDLESS_BUCKET}/${ENDLESS_KEY}` });
    assert.equal(status, 200);
    // The suite's per-test timeout bounds this wait: an uncancelled read never resolves it.
    await probe.cancelled;
    const produced = probe.chunksProduced;
    assert.ok(produced >= 1, 'the source produced the first bytes');
    assert.ok(produced < 1000, `the source stopped early (${produced} chunks of an endless object)`);
  });
}
