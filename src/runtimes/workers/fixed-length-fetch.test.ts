/** `fixedLengthFetch`: a streamed body with a Content-Length goes through a FixedLengthStream of that length; anything else as it was. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FetchFunction, fixedLengthFetch } from './fixed-length-fetch.ts';

test('a stream body with a Content-Length is piped through a FixedLengthStream of it; other bodies pass unchanged', async () => {
  const lengths: number[] = [];
  class FakeFixedLengthStream extends TransformStream<Uint8Array, Uint8Array> {
    constructor(length: number | bigint) {
      super();
      lengths.push(Number(length));
    }
  }
  const sent: { body: unknown }[] = [];
  const inner: FetchFunction = async (_input, init) => {
    sent.push({ body: init.body });
    return new Response(null, { status: 200 });
  };
  const send = fixedLengthFetch(inner, FakeFixedLengthStream);
  const stream = new ReadableStream<Uint8Array>();
  await send('http://peer.test/a', { method: 'PUT', headers: { 'Content-Length': '5' }, body: stream, duplex: 'half' });
  assert.deepEqual(lengths, [5]);
  assert.notEqual(sent[0]!.body, stream, 'the body was piped');
  await send('http://peer.test/b', { method: 'PUT', headers: { 'transfer-encoding': 'chunked' }, body: stream, duplex: 'half' });
  await send('http://peer.test/c', { method: 'GET', headers: new Headers({ 'content-length': '0' }) });
  assert.deepEqual(lengths, [5], 'no length, or no stream: nothing piped');
  assert.equal(sent[1]!.body, stream);
  // Where the platform has no FixedLengthStream (Node), requests pass unchanged.
  await fixedLengthFetch(inner, undefined)('http://peer.test/d', { method: 'PUT', headers: { 'content-length': '5' }, body: stream, duplex: 'half' });
  assert.equal(sent[3]!.body, stream);
});
