/**
 * Running a Worker in workerd for tests: the entry bundled exactly as the
 * build bundles the Workers entry (no Node built-ins, no Node-only modules),
 * then served by Miniflare on a loopback port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
// @ts-expect-error: the build script is plain JavaScript without declarations.
import { buildWorker } from '../../scripts/build-worker.mjs';

/** The compatibility date the example's wrangler.toml uses too. */
export const COMPATIBILITY_DATE = '2026-04-01';

export interface RunningWorker {
  /** e.g. `http://127.0.0.1:41234` */
  origin: string;
  port: number;
  bundleBytes: number;
  stop(): Promise<void>;
}

/** Bundles `entry` and serves it in workerd with these string bindings (vars and secrets), and D1 databases by binding name. */
export async function startWorker(entry: string, bindings: Record<string, string>, options: { d1Databases?: string[] } = {}): Promise<RunningWorker> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-workerd-'));
  let mf: Miniflare | undefined;
  try {
    const bundle = join(dir, 'worker.js');
    const built = (await buildWorker(bundle, entry)) as { bytes: number };
    mf = new Miniflare({
      modules: true,
      scriptPath: bundle,
      // Module names are paths relative to this folder (the default, the working directory, is elsewhere).
      modulesRoot: dir,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings,
      ...(options.d1Databases && { d1Databases: options.d1Databases }),
      host: '127.0.0.1',
      port: 0,
    });
    const url = await mf.ready;
    const running = mf;
    return {
      origin: url.origin,
      port: Number(url.port),
      bundleBytes: built.bytes,
      async stop() {
        await running.dispose();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await mf?.dispose().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
