/**
 * Receiving an upload into a temp file: the body is written under
 * `.sluice/tmp/` while its MD5 is computed, and only a completely received
 * body leaves a file behind (the caller then renames it into place). A body
 * stream that fails, or an aborted request, removes the temp file. The data
 * reaches the disk before this returns, so a crash after the rename cannot
 * leave a partial or empty file where the previous version was.
 */
import { createHash } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { Readable } from 'node:stream';
import { RuntimeBody, toWebStream, type Body } from '../../core/body.ts';

export interface ReceivedFile {
  md5: string;
  /** Stats of the finished temp file; a rename keeps its inode and mtime. */
  stats: Stats;
}

/**
 * Stream `body` into a new file at `temp`. File-system failures are passed
 * through `fsFailure` (to become typed backend errors); failures of the body
 * itself propagate unchanged.
 */
export async function receiveToTemp(
  temp: string,
  body: Body,
  signal: AbortSignal | undefined,
  fsFailure: (error: unknown) => Error,
): Promise<ReceivedFile> {
  const handle = await open(temp, 'wx').catch((error: unknown) => {
    throw fsFailure(error);
  });
  const hash = createHash('md5');
  try {
    for await (const chunk of bodyChunks(body, signal)) {
      hash.update(chunk);
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset).catch((error: unknown) => {
          throw fsFailure(error);
        });
        offset += bytesWritten;
      }
    }
    await handle.datasync().catch((error: unknown) => {
      throw fsFailure(error);
    });
    const stats = await handle.stat();
    await handle.close();
    return { md5: hash.digest('hex'), stats };
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** The body's chunks, from a native Node stream when the runtime handed one over, else from its Web stream. */
async function* bodyChunks(body: Body, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  signal?.throwIfAborted();
  if (body instanceof RuntimeBody && body.native instanceof Readable) {
    const readable = body.native;
    const onAbort = () => readable.destroy(signal!.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of readable) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    signal?.throwIfAborted();
    return;
  }
  const reader = toWebStream(body).getReader();
  const onAbort = () => void reader.cancel(signal!.reason).catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!finished) reader.cancel().catch(() => {});
  }
}
