/**
 * Long and stalled uploads to an S3 store (moto) reached through a loopback
 * TCP proxy that throttles what is sent to the store. An upload that takes
 * longer than the response timeout but keeps moving succeeds: the response
 * timeout only starts once the body is sent (handed to the operating system,
 * whose socket buffers the proxy drains at its own pace). An upload that stops moving
 * fails at the idle timeout, its connection is reset, and the store keeps the
 * previous version.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { S3Backend } from '../../src/backends/s3/s3-backend.ts';
import { BackendUnavailableError } from '../../src/core/backend-errors.ts';
import { bytesBody, readAll } from '../../src/core/body.ts';
import { createNodeHttpClient } from '../../src/runtimes/node/http-client.ts';
import { motoUnavailableReason, startMotoServer } from '../peers/moto-peer.ts';
import type { S3Peer } from '../peers/s3-peer.ts';

/** Forwards to `target`, passing at most `bytesPerTick` client bytes every `tickMs`; answers flow freely. */
async function startThrottlingProxy(target: URL, bytesPerTick: number, tickMs: number) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('error', () => upstream.resetAndDestroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      sockets.delete(client);
      if (!upstream.destroyed) upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      client.pause();
      let offset = 0;
      const step = () => {
        if (upstream.destroyed) return;
        upstream.write(chunk.subarray(offset, offset + bytesPerTick));
        offset += bytesPerTick;
        if (offset < chunk.length) setTimeout(step, tickMs);
        else setTimeout(() => client.resume(), tickMs);
      };
      step();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `size` bytes in 16 KiB chunks `gapMs` apart; with `stallAfter`, the stream stops there and never ends. */
function body(size: number, options: { gapMs?: number; stallAfter?: number } = {}): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (options.stallAfter !== undefined && sent >= options.stallAfter) return new Promise<void>(() => {});
      if (options.gapMs && sent > 0) await new Promise((resolve) => setTimeout(resolve, options.gapMs));
      if (sent >= size) return controller.close();
      const n = Math.min(16 * 1024, size - sent);
      sent += n;
      controller.enqueue(new Uint8Array(n).fill(0x61));
    },
  }, { highWaterMark: 0 });
}

describe('slow and stalled uploads through a throttling proxy (moto)', { skip: motoUnavailableReason() }, () => {
  let peer: S3Peer;
  let proxy: Awaited<ReturnType<typeof startThrottlingProxy>>;
  let backend: S3Backend;
  const http = createNodeHttpClient();

  before(async () => {
    peer = await startMotoServer({ verifySignatures: false });
    // 32 KiB every 40 ms: about 800 KiB/s.
    proxy = await startThrottlingProxy(new URL(peer.endpoint), 32 * 1024, 40);
    backend = new S3Backend({
      endpoint: proxy.endpoint,
      region: peer.region,
      bucket: peer.bucket,
      forcePathStyle: true,
      prefix: '',
      credentials: peer.credentials,
      http,
      responseTimeoutMs: 300,
      idleTimeoutMs: 500,
    });
  });

  after(async () => {
    http.close();
    await proxy?.stop();
    await peer?.stop();
  });

  test('an upload that takes longer than the response timeout but keeps moving succeeds', async () => {
    // 16 KiB every 25 ms through the proxy: about a second in all, each gap well inside the idle timeout.
    const size = 640 * 1024;
    const started = Date.now();
    await backend.put('slow.bin', body(size, { gapMs: 25 }), { metadata: {} }, { contentLength: size });
    assert.ok(Date.now() - started > 600, `the upload took ${Date.now() - started} ms, longer than the 300 ms response timeout`);
    assert.equal((await backend.head('slow.bin')).size, size);
  });

  test('an upload stalled past the idle timeout fails and the store keeps the previous version', async () => {
    await backend.put('stalled.bin', bytesBody('previous'), { metadata: {} }, { contentLength: 8 });
    const started = Date.now();
    await assert.rejects(
      backend.put('stalled.bin', body(512 * 1024, { stallAfter: 96 * 1024 }), { metadata: {} }, { contentLength: 512 * 1024 }),
      (err: unknown) => {
        assert.ok(err instanceof BackendUnavailableError);
        assert.equal((err.cause as Record<string, unknown>)['kind'], 'timeout');
        assert.match(String((err.cause as Record<string, unknown>)['error']), /no activity for 500 ms/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 5000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const got = await backend.get('stalled.bin');
    assert.equal(new TextDecoder().decode(await readAll(got.body)), 'previous');
  });
});
