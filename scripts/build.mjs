#!/usr/bin/env node
/**
 * `npm run build`: compiles `src/` to JavaScript in `dist/` for plain `node`,
 * one output module per source module (tests and test helpers are left out).
 *
 * esbuild strips the types. Every relative import, static or dynamic, is
 * rewritten from `.ts` to `.js` and kept as an import of its own module, so
 * what the sources load lazily stays lazy; packages (better-sqlite3 among
 * them) stay external and load from node_modules. Types are checked
 * separately, with `npm run typecheck`.
 *
 * The web console is built next, into `console-assets/` of the same folder
 * (`scripts/build-console.mjs`: hashed browser assets, a size budget), then
 * the Cloudflare Workers bundle, into `worker/` (`scripts/build-worker.mjs`:
 * no Node built-ins, a size budget, the console's files embedded).
 *
 *   node scripts/build.mjs [--outdir DIR]
 */
import { readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { buildConsole, describeConsoleBuild } from './build-console.mjs';
import { buildWorker, describeWorkerBuild } from './build-worker.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const sourceDir = join(root, 'src');

/** Source modules that ship: TypeScript, neither tests nor test helpers. */
function shippedModules(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /(?<!\.d|\.test|\.test-helper)\.ts$/.test(entry.name))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

/** Keeps each relative import as an import, of the `.js` file the build writes for it. */
function relativeImports(modules) {
  return {
    name: 'relative-imports',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const target = resolve(args.resolveDir, args.path);
        const from = relative(root, args.importer);
        if (!args.path.endsWith('.ts')) {
          return { errors: [{ text: `${from}: relative import "${args.path}" must name a .ts module` }] };
        }
        if (!modules.has(target)) {
          return { errors: [{ text: `${from}: imports ${relative(root, target)}, which is not part of the build (tests and test helpers do not ship)` }] };
        }
        return { path: `${args.path.slice(0, -'.ts'.length)}.js`, external: true };
      });
    },
  };
}

/** The output folder is emptied first: refuse anything that holds the sources. */
function checkOutdir(outdir) {
  const holds = (dir, path) => path === dir || path.startsWith(dir + sep);
  if (holds(outdir, root) || holds(sourceDir, outdir)) {
    throw new Error(`refusing to build into ${outdir}: it would replace the sources`);
  }
}

export async function buildDist(outdir = join(root, 'dist')) {
  const target = resolve(outdir);
  checkOutdir(target);
  const started = performance.now();
  const entryPoints = shippedModules(sourceDir);
  rmSync(target, { recursive: true, force: true });
  await build({
    entryPoints,
    outdir: target,
    outbase: sourceDir,
    bundle: true,
    packages: 'external',
    plugins: [relativeImports(new Set(entryPoints))],
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: join(root, 'tsconfig.json'),
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
  });
  return { modules: entryPoints.length, outdir: target, milliseconds: Math.round(performance.now() - started) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
  try {
    const result = await buildDist(values.outdir);
    console.log(`built ${result.modules} modules into ${relative(process.cwd(), result.outdir) || '.'} in ${result.milliseconds} ms`);
    console.log(describeConsoleBuild(await buildConsole(join(result.outdir, 'console-assets'))));
    console.log(describeWorkerBuild(await buildWorker(join(result.outdir, 'worker', 'sluice-worker.js'))));
  } catch (error) {
    // esbuild has already printed its own errors.
    if (!Array.isArray(error?.errors)) console.error(`build: ${error?.message ?? error}`);
    process.exitCode = 1;
  }
}
