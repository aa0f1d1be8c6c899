/**
 * The Node runtime's log sink: JSON lines on a writable stream (stdout for
 * `sluice serve`), batched. Whoever creates one owns it and must `flush()` it
 * when done (the server does so on close); it installs no process hooks.
 */
import type { LogSink } from '../../core/runtime.ts';

/** The one thing the sink needs from its destination. */
export interface LineWriter {
  write(chunk: string): unknown;
}

const MAX_PENDING = 64 * 1024;
const MAX_DELAY_MS = 50;

/**
 * Lines are written in batches: when 64 KiB have gathered or 50 ms have
 * passed, whichever comes first, and on `flush()`. One write per line
 * measured at a fifth of the throughput for small objects; a batch per
 * event-loop turn (setImmediate) kept the loop from ever waiting for I/O,
 * which cost as much.
 */
export function createJsonLineLog(stream: LineWriter): Required<LogSink> {
  let pending = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === '') return;
    const lines = pending;
    pending = '';
    stream.write(lines);
  };
  return {
    flush,
    write(event) {
      pending += `${JSON.stringify(event)}\n`;
      if (pending.length >= MAX_PENDING) flush();
      else timer ??= setTimeout(flush, MAX_DELAY_MS).unref();
    },
  };
}
