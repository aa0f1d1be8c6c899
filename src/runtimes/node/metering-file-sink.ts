/**
 * The Node metering sink: one JSON line per usage record, appended to a
 * file. Writes go through the stream's buffer and never wait; past
 * `maxBufferedBytes` not yet on disk (a stalled disk), records are dropped
 * and counted instead of growing memory.
 */
import { createWriteStream } from 'node:fs';
import type { MeteringSink } from '../../core/metering/usage-record.ts';
import type { LogSink } from '../../core/runtime.ts';

export interface FileSinkOptions {
  path: string;
  log: LogSink;
  onDrop?: (count: number) => void;
  /** Default 8 MiB. */
  maxBufferedBytes?: number;
}

export function createFileMeteringSink(options: FileSinkOptions): MeteringSink {
  const stream = createWriteStream(options.path, { flags: 'a', mode: 0o640 });
  const limit = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  let failed = false;
  stream.on('error', (error) => {
    if (!failed) options.log.write({ level: 'error', msg: 'metering file failed; records are dropped', path: options.path, error: error.message });
    failed = true;
  });
  return {
    write(record) {
      if (failed || stream.destroyed || stream.writableLength > limit) {
        options.onDrop?.(1);
        return;
      }
      stream.write(JSON.stringify(record) + '\n');
    },
    async flush() {
      if (stream.writableLength === 0 || stream.destroyed) return;
      await new Promise<void>((resolve) => {
        stream.once('drain', resolve);
        stream.once('close', resolve);
      });
    },
    async close() {
      if (stream.destroyed) return;
      await new Promise<void>((resolve) => stream.end(resolve));
    },
  };
}
