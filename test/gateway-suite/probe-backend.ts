/**
 * A backend serving one endless object whose stream records being cancelled,
 * so the suite can see that a client going away releases the backend read.
 */
import type { Backend, GetResult, ObjectInfo } from '../../src/core/backend.ts';

export const ENDLESS_KEY = 'endless.bin';
const CHUNK_BYTES = 16 * 1024;

export interface ProbeBackend extends Backend {
  /** Resolves once the source stream of a read has been cancelled. */
  readonly cancelled: Promise<unknown>;
  /** Chunks the source has produced so far, over all reads. */
  readonly chunksProduced: number;
}

export function probeBackend(): ProbeBackend {
  let markCancelled!: (reason: unknown) => void;
  const cancelled = new Promise<unknown>((resolve) => (markCancelled = resolve));
  let chunksProduced = 0;
  const info: ObjectInfo = { key: ENDLESS_KEY, size: 2 ** 40, etag: '"endless"', lastModified: new Date(0), metadata: {} };
  const unused = () => Promise.reject(new Error('the probe backend serves reads only'));
  return {
    kind: 'probe',
    cancelled,
    get chunksProduced() {
      return chunksProduced;
    },
    head: async () => info,
    get: async (): Promise<GetResult> => ({
      info,
      body: new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            chunksProduced++;
            controller.enqueue(new Uint8Array(CHUNK_BYTES));
          },
          cancel(reason) {
            markCancelled(reason);
          },
        },
        { highWaterMark: 0 },
      ),
    }),
    list: unused,
    put: unused,
    delete: unused,
  };
}
