/**
 * Running a Worker in workerd for tests: the entry bundled exactly as the
 * build bundles the Workers entry (no Node built-ins, no Node-only modules),
 * then served by Miniflare on a loopback port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Miniflare } from 'miniflare';
import type { D1Database } from '../../src/policy/d1/d1-types.ts';
// @ts-expect-error: the build script is plain JavaScript without declarations.
import { buildWorker } from '../../scripts/build-worker.mjs';

/** The compatibility date the example's wrangler.toml uses too. */
export const COMPATIBILITY_DATE = '2026-04-01';

export interface RunningWorker {
  /** e.g. `http://127.0.0.1:41234` */
  origin: string;
  port: number;
  bundleBytes: number;
  /** The Worker's D1 database bound as `binding`, reached from the test through Miniflare's proxy. */
  d1(binding: string): Promise<D1Database>;
  /** What workerd wrote to stdout and stderr so far (the Worker's console lines), with `captureOutput`. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** D1 databases by binding name (each its own, in memory), or binding → database id (with `d1Persist`, as wrangler stores it). */
  d1Databases?: string[] | Record<string, string>;
  /** The folder of persisted D1 databases, e.g. wrangler's `<persist-to>/v3/d1`. */
  d1Persist?: string;
  /** Keep workerd's output for `output()` instead of passing it to this process's. */
  captureOutput?: boolean;
}

/** Bundles `entry` and serves it in workerd with these string bindings (vars and secrets), and D1 databases by binding name. */
export async function startWorker(entry: string, bindings: Record<string, string>, options: StartOptions = {}): Promise<RunningWorker> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-workerd-'));
  let mf: Miniflare | undefined;
  let output = '';
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
      ...(options.d1Persist !== undefined && { d1Persist: options.d1Persist }),
      ...(options.captureOutput && {
        handleRuntimeStdio(stdout: Readable, stderr: Readable) {
          for (const stream of [stdout, stderr]) stream.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
        },
      }),
      host: '127.0.0.1',
      port: 0,
    });
    const url = await mf.ready;
    const running = mf;
    return {
      origin: url.origin,
      port: Number(url.port),
      bundleBytes: built.bytes,
      d1: async (binding) => (await running.getD1Database(binding)) as unknown as D1Database,
      output: () => output,
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
