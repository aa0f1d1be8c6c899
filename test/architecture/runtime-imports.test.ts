/**
 * The core stays runtime-agnostic: runtime-specific modules (`node:*`,
 * `cloudflare:*`, Node built-ins by bare name) may be imported only by the
 * runtimes, the CLI and the Node-only backends and stores — and portable
 * modules (the core, the app, the portable backend registry) do not reach
 * them through a Node-only module of our own either.
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = join(import.meta.dirname, '../../src');
const NODE_ONLY = [/^runtimes\/node\//, /^cli\//, /^backends\/fs\//, /^policy\/(sqlite|postgres)\//];
const RUNTIME_SPECIFIC = new Set(builtinModules.filter((name) => !name.startsWith('_')));

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

function importedSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const match of source.matchAll(pattern)) specifiers.push((match[1] ?? match[2] ?? match[3] ?? match[4])!);
  return specifiers;
}

function isRuntimeSpecific(specifier: string): boolean {
  if (specifier.startsWith('node:') || specifier.startsWith('cloudflare:')) return true;
  return RUNTIME_SPECIFIC.has(specifier.split('/')[0]!);
}

test('only runtimes, the CLI and Node-only backends/stores import runtime-specific modules', async () => {
  const offenders: string[] = [];
  for (const file of await sourceFiles(SRC)) {
    const path = relative(SRC, file).split('\\').join('/');
    if (NODE_ONLY.some((allowed) => allowed.test(path))) continue;
    for (const specifier of importedSpecifiers(await readFile(file, 'utf8'))) {
      if (isRuntimeSpecific(specifier)) offenders.push(`${path} imports ${specifier}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('portable modules import no Node-only module of the project', async () => {
  const offenders: string[] = [];
  for (const file of await sourceFiles(SRC)) {
    const path = relative(SRC, file).split('\\').join('/');
    // Test helpers run under Node only, like the tests beside them.
    if (NODE_ONLY.some((allowed) => allowed.test(path)) || path.endsWith('.test-helper.ts')) continue;
    for (const specifier of importedSpecifiers(await readFile(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(file), specifier)).split('\\').join('/');
      if (NODE_ONLY.some((nodeOnly) => nodeOnly.test(target))) offenders.push(`${path} imports ${target}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the import scanner recognises every import form', () => {
  const found = importedSpecifiers(`import a from 'node:fs';\nexport { b } from "fs/promises";\nconst c = await import('node:path');\nimport 'cloudflare:sockets';`);
  assert.deepEqual(found.sort(), ['cloudflare:sockets', 'fs/promises', 'node:fs', 'node:path']);
  assert.ok(found.every(isRuntimeSpecific));
  assert.equal(isRuntimeSpecific('zod'), false);
});
