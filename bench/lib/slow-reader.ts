/**
 * A deliberately slow client: GETs a URL and consumes the body at a fixed
 * rate, pausing the socket whenever it is ahead of schedule. The kernel's
 * receive window then fills and TCP pushes back on the server, which must
 * stop reading its source rather than buffer.
 */
import { request } from 'node:http';

export interface SlowReadResult {
  status: number;
  bytes: number;
  seconds: number;
}

export function slowGet(url: string, bytesPerSecond: number): Promise<SlowReadResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        const aheadMs = (bytes / bytesPerSecond) * 1000 - (performance.now() - started);
        if (aheadMs > 2) {
          res.pause();
          setTimeout(() => res.resume(), aheadMs);
        }
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, bytes, seconds: (performance.now() - started) / 1000 }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}
