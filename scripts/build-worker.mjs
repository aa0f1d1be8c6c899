#!/usr/bin/env node
/**
 * The Cloudflare Workers bundle: `src/runtimes/workers/entry.ts` and
 * everything it imports, in one minified ES module at
 * `dist/worker/sluice-worker.js`, with the console's files embedded
 * (`sluice:console-assets`). Run by `npm run build` after the Node build.
 *
 * The bundle must run on workerd as it is, so the build fails when anything
 * reaches for a Node built-in (`node:*` or a bare `fs`, `path`, …) or for a
 * Node-only module of the project (the Node runtime, the CLI, the fs backend,
 * the SQLite store), and when it grows past its size budget (gzipped).
 *
 *   node scripts/build-worker.mjs [--outfile FILE] [--entry FILE]
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { consoleAssetsPlugin } from './build-console.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
export const WORKER_ENTRY = join(root, 'src/runtimes/workers/entry.ts');
export const WORKER_BUNDLE = join(root, 'dist/worker/sluice-worker.js');
/** The budget for the gzipped bundle (Workers' own limit is 3 MiB on Free, 10 MiB on paid plans). */
export const GZIP_BUDGET_BYTES = 1024 * 1024;

/** Project folders that only run on Node. */
const NODE_ONLY = ['src/runtimes/node/', 'src/cli/', 'src/backends/fs/', 'src/policy/sqlite/'];
const builtins = new Set(builtinModules);

/** Fails the build on any import of a Node built-in or a Node-only project module, naming the importer. */
const workersOnly = {
  name: 'workers-only',
  setup(esbuild) {
    esbuild.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const from = args.importer ? relative(root, args.importer) : '?';
      const bare = args.path.split('/')[0];
      if (args.path.startsWith('node:') || builtins.has(args.path) || builtins.has(bare)) {
        return { errors: [{ text: `${from} imports the Node built-in "${args.path}", which the Workers bundle cannot include` }] };
      }
      if (args.path.startsWith('.')) {
        const target = relative(root, resolve(args.resolveDir, args.path)).split('\\').join('/');
        const nodeOnly = NODE_ONLY.find((folder) => target.startsWith(folder));
        if (nodeOnly) return { errors: [{ text: `${from} imports ${target}, which runs on Node only (${nodeOnly})` }] };
      }
      return undefined;
    });
  },
};

/** `entry` defaults to the Workers entry; tests bundle their own entries with the same rules. */
export async function buildWorker(outfile = WORKER_BUNDLE, entry = WORKER_ENTRY) {
  const started = performance.now();
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    // Packages' Worker and browser builds first, as wrangler resolves them.
    conditions: ['workerd', 'worker', 'browser', 'import', 'default'],
    mainFields: ['browser', 'module', 'main'],
    target: 'es2022',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    tsconfig: join(root, 'tsconfig.json'),
    plugins: [workersOnly, consoleAssetsPlugin()],
    logLevel: 'warning',
  });
  const bytes = readFileSync(outfile);
  const gzipBytes = gzipSync(bytes).byteLength;
  const packages = [...new Set(Object.keys(result.metafile.inputs)
    .map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1])
    .filter((name) => name !== undefined))].sort();
  if (gzipBytes > GZIP_BUDGET_BYTES) {
    throw new Error(`the Workers bundle is ${gzipBytes} bytes gzipped, over its budget of ${GZIP_BUDGET_BYTES}`);
  }
  return { outfile, bytes: bytes.byteLength, gzipBytes, packages, milliseconds: Math.round(performance.now() - started) };
}

export function describeWorkerBuild(result) {
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  return `built the Workers bundle ${relative(process.cwd(), result.outfile)}: ${kib(result.bytes)}, ${kib(result.gzipBytes)} gzipped (budget ${kib(GZIP_BUDGET_BYTES)}), packages: ${result.packages.join(', ')}, in ${result.milliseconds} ms`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outfile: { type: 'string' }, entry: { type: 'string' } } });
  try {
    console.log(describeWorkerBuild(await buildWorker(values.outfile && resolve(values.outfile), values.entry && resolve(values.entry))));
  } catch (error) {
    if (!Array.isArray(error?.errors)) console.error(`build-worker: ${error?.message ?? error}`);
    process.exitCode = 1;
  }
}
