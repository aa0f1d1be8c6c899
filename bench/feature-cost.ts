/**
 * What a configuration's extra features cost per request, measured in one
 * process: two apps built from two configuration files (a base and the same
 * plus the features) answer the same GETs through `gateway.handle`, in short
 * interleaved batches, each batch's CPU time counted to its app. Both apps
 * see the same machine at nearly the same moments and share the JIT, so the
 * difference is the features' own work — free of the process-to-process and
 * minute-to-minute swings that make two servers' req/s differ by more than
 * a few per cent on a shared VM. HTTP is left out: it costs both the same.
 *
 *   npx tsx bench/feature-cost.ts BASE.yaml WITH.yaml PATH [PATH…] [--json]
 */
import { pathToFileURL } from 'node:url';
import { createApp } from '../src/app/create-app.ts';
import { readAll } from '../src/core/body.ts';
import type { Gateway } from '../src/core/gateway.ts';
import { loadConfigFile } from '../src/runtimes/node/config-file.ts';
import { createNodeServices } from '../src/runtimes/node/services.ts';

const WARMUP_REQUESTS = 10_000;
const BATCH = 250;
const BATCHES = 200;

export interface FeatureCost {
  /** CPU per request, µs, for each configuration. */
  baseMicroseconds: number;
  withMicroseconds: number;
  requestsEach: number;
}

async function get(gateway: Gateway, path: string): Promise<void> {
  const response = await gateway.handle({ method: 'GET', rawPath: path, rawQuery: '', headers: { host: '127.0.0.1' }, client: { ip: '127.0.0.1' } });
  if (response.body) await readAll(response.body);
  response.done?.({ bytes: 0, aborted: false });
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
}

function cpuMicroseconds(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

export async function measureFeatureCost(baseFile: string, withFile: string, paths: readonly string[]): Promise<FeatureCost> {
  const services = createNodeServices({ write: () => {} });
  const apps = await Promise.all([baseFile, withFile].map(async (file) => createApp(await loadConfigFile(file), services)));
  try {
    const spent = [0, 0];
    let next = 0;
    const batch = async (app: number, count: number) => {
      for (let i = 0; i < count; i++) await get(apps[app]!.gateway, paths[next++ % paths.length]!);
    };
    for (let app = 0; app < 2; app++) await batch(app, WARMUP_REQUESTS);
    for (let b = 0; b < BATCHES; b++) {
      // Alternate which app goes first, so neither always follows the other's garbage.
      for (const app of b % 2 === 0 ? [0, 1] : [1, 0]) {
        const before = cpuMicroseconds();
        await batch(app, BATCH);
        spent[app]! += cpuMicroseconds() - before;
      }
    }
    const requestsEach = BATCH * BATCHES;
    return { baseMicroseconds: spent[0]! / requestsEach, withMicroseconds: spent[1]! / requestsEach, requestsEach };
  } finally {
    await Promise.all(apps.map((app) => app.close()));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2).filter((a) => a !== '--json');
  const [baseFile, withFile, ...paths] = args;
  if (!baseFile || !withFile || paths.length === 0) {
    console.error('usage: npx tsx bench/feature-cost.ts BASE.yaml WITH.yaml PATH [PATH…] [--json]');
    process.exit(2);
  }
  const cost = await measureFeatureCost(baseFile, withFile, paths);
  if (process.argv.includes('--json')) console.log(JSON.stringify(cost));
  else console.log(`base ${cost.baseMicroseconds.toFixed(1)} µs/request, with the features ${cost.withMicroseconds.toFixed(1)} µs/request (${cost.requestsEach} requests each)`);
}
