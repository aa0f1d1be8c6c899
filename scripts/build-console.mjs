#!/usr/bin/env node
/**
 * The web console: `console/src/main.tsx` (Preact) bundled for the browser
 * into content-hashed files under `assets/`, plus an `index.html` that loads
 * them (no inline script or style, as the console's Content-Security-Policy
 * requires) and a `manifest.json` listing every file with its type. Run by
 * `npm run build` into `dist/console-assets/`; the Workers build embeds the same
 * files (`consoleAssetsPlugin`). The build fails over its size budget
 * (every file gzipped, added up).
 *
 *   node scripts/build-console.mjs [--outdir DIR]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CONSOLE_ENTRY = join(root, 'console/src/main.tsx');
export const CONSOLE_OUTDIR = join(root, 'dist/console-assets');
/** The budget for the console's files, gzipped and added up. */
export const CONSOLE_GZIP_BUDGET_BYTES = 250 * 1024;

const TYPES = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.html': 'text/html; charset=utf-8' };
const typeOf = (path) => TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';

function hashed(name, bytes) {
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 10);
  const dot = name.lastIndexOf('.');
  return `assets/${name.slice(0, dot)}-${hash}${name.slice(dot)}`;
}

/** The console's files in memory: `[{ path, contentType, immutable, bytes }]`, index.html first. */
export async function buildConsoleFiles() {
  const result = await build({
    entryPoints: [CONSOLE_ENTRY],
    bundle: true,
    write: false,
    outdir: '/console',
    entryNames: 'assets/[name]-[hash]',
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    metafile: true,
    tsconfig: join(root, 'console/tsconfig.json'),
    logLevel: 'warning',
  });
  const files = result.outputFiles.map((file) => ({
    path: file.path.slice('/console/'.length),
    contentType: typeOf(file.path),
    immutable: true,
    bytes: file.contents,
  }));
  const icon = readFileSync(join(root, 'console/src/icon.svg'));
  files.push({ path: hashed('icon.svg', icon), contentType: typeOf('.svg'), immutable: true, bytes: icon });
  const find = (ext) => files.find((file) => file.path.endsWith(ext))?.path;
  const script = find('.js');
  const style = find('.css');
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Sluice</title>',
    `<link rel="icon" href="${find('.svg')}" type="image/svg+xml">`,
    style ? `<link rel="stylesheet" href="${style}">` : '',
    `<script type="module" src="${script}"></script>`,
    '</head>',
    '<body>',
    '<div id="app"></div>',
    '<noscript>The Sluice console needs JavaScript.</noscript>',
    '</body>',
    '</html>',
    '',
  ].filter((line) => line !== '').join('\n');
  const packages = [...new Set(Object.keys(result.metafile.inputs)
    .map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1])
    .filter((name) => name !== undefined))].sort();
  return {
    files: [{ path: 'index.html', contentType: typeOf('.html'), immutable: false, bytes: new TextEncoder().encode(html) }, ...files],
    packages,
  };
}

/** Build, check the budget, and write the files and their manifest into `outdir`. */
export async function buildConsole(outdir = CONSOLE_OUTDIR) {
  const started = performance.now();
  const { files, packages } = await buildConsoleFiles();
  const bytes = files.reduce((sum, file) => sum + file.bytes.byteLength, 0);
  const gzipBytes = files.reduce((sum, file) => sum + gzipSync(file.bytes).byteLength, 0);
  if (gzipBytes > CONSOLE_GZIP_BUDGET_BYTES) {
    throw new Error(`the console is ${gzipBytes} bytes gzipped, over its budget of ${CONSOLE_GZIP_BUDGET_BYTES}`);
  }
  rmSync(outdir, { recursive: true, force: true });
  for (const file of files) {
    mkdirSync(dirname(join(outdir, file.path)), { recursive: true });
    writeFileSync(join(outdir, file.path), file.bytes);
  }
  const manifest = files.map(({ path, contentType, immutable }) => ({ path, contentType, immutable }));
  writeFileSync(join(outdir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { outdir, files: files.length, bytes, gzipBytes, packages, milliseconds: Math.round(performance.now() - started) };
}

export function describeConsoleBuild(result) {
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  return `built the console into ${relative(process.cwd(), result.outdir)}: ${result.files} files, ${kib(result.bytes)}, ${kib(result.gzipBytes)} gzipped (budget ${kib(CONSOLE_GZIP_BUDGET_BYTES)}), packages: ${result.packages.join(', ')}, in ${result.milliseconds} ms`;
}

/** esbuild plugin: `import assets from 'sluice:console-assets'` becomes the console's files, base64-embedded. */
export function consoleAssetsPlugin() {
  return {
    name: 'console-assets',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^sluice:console-assets$/ }, () => ({ path: 'console-assets', namespace: 'sluice-console' }));
      esbuild.onLoad({ filter: /.*/, namespace: 'sluice-console' }, async () => {
        const { files } = await buildConsoleFiles();
        const entries = files.map(({ path, contentType, immutable, bytes }) => ({ path, contentType, immutable, base64: Buffer.from(bytes).toString('base64') }));
        return { contents: `export default ${JSON.stringify(entries)};`, loader: 'js' };
      });
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
  try {
    console.log(describeConsoleBuild(await buildConsole(values.outdir && resolve(values.outdir))));
  } catch (error) {
    if (!Array.isArray(error?.errors)) console.error(`build-console: ${error?.message ?? error}`);
    process.exitCode = 1;
  }
}
