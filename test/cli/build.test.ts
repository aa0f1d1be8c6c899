/**
 * The compiled build: `scripts/build.mjs` writes one plain-JavaScript module
 * per source module, with every relative import pointing at a `.js` file it
 * wrote; the launcher runs `dist/` under plain `node` and says what to do when
 * it is missing; and commands load lazily there too, as a module trace of the
 * launcher shows. The Workers bundle beside it holds no Node built-in and no
 * Node-only module, within its size budget.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { launcher, repoRoot } from './run-cli.ts';

const run = promisify(execFile);

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-build-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function filesUnder(root: string, suffix: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => relative(root, join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

describe('npm run build', () => {
  it('writes one JavaScript module per source module, tests left out, every relative import resolved to a written .js file', async () => {
    const outdir = join(dir, 'out');
    const { stdout } = await run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--outdir', outdir]);
    const sources = filesUnder(join(repoRoot, 'src'), '.ts').filter((file) => !/(\.test(-helper)?|\.d)\.ts$/.test(file));
    const outputs = filesUnder(outdir, '.js').filter((file) => !file.startsWith(`worker${sep}`) && !file.startsWith(`console-assets${sep}`));
    assert.deepEqual(outputs, sources.map((file) => file.replace(/\.ts$/, '.js')));
    assert.match(stdout, new RegExp(`^built ${sources.length} modules into `));
    assert.match(stdout, /\nbuilt the Workers bundle .*sluice-worker\.js: \d+ KiB, \d+ KiB gzipped \(budget 1024 KiB\)/);
    assert.deepEqual(filesUnder(join(outdir, 'worker'), '.js'), ['sluice-worker.js']);
    assert.match(stdout, /\nbuilt the console into .*: \d+ files, \d+ KiB, \d+ KiB gzipped \(budget 250 KiB\)/);
    assert.ok(existsSync(join(outdir, 'console-assets', 'manifest.json')));

    let dynamicImports = 0;
    for (const file of outputs) {
      const code = await readFile(join(outdir, file), 'utf8');
      const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)["'](\.{1,2}\/[^"']*)["']/gm)].map((m) => m[1]!);
      dynamicImports += [...code.matchAll(/\bimport\s*\(\s*["']\.{1,2}\//g)].length;
      for (const specifier of specifiers) {
        assert.match(specifier, /\.js$/, `${file} imports ${specifier}`);
        assert.ok(existsSync(resolve(dirname(join(outdir, file)), specifier)), `${file} imports ${specifier}, which was not written`);
      }
      assert.doesNotMatch(code, /["']tsx(\/[^"']*)?["']/, `${file} refers to tsx`);
    }
    assert.ok(dynamicImports >= 5, `dynamic imports stay dynamic (found ${dynamicImports})`);
  });

  it('refuses an output folder that holds the sources, and an import of a module it does not build', async () => {
    // A scratch checkout, so a broken guard could only empty the scratch copy.
    const checkout = join(dir, 'scratch');
    await mkdir(join(checkout, 'scripts'), { recursive: true });
    await mkdir(join(checkout, 'src'), { recursive: true });
    await copyFile(join(repoRoot, 'scripts', 'build.mjs'), join(checkout, 'scripts', 'build.mjs'));
    await copyFile(join(repoRoot, 'scripts', 'build-worker.mjs'), join(checkout, 'scripts', 'build-worker.mjs'));
    await copyFile(join(repoRoot, 'scripts', 'build-console.mjs'), join(checkout, 'scripts', 'build-console.mjs'));
    await copyFile(join(repoRoot, 'tsconfig.json'), join(checkout, 'tsconfig.json'));
    await symlink(join(repoRoot, 'node_modules'), join(checkout, 'node_modules'));
    await writeFile(join(checkout, 'src', 'helper.test-helper.ts'), 'export const answer = 42;\n');
    await writeFile(join(checkout, 'src', 'main.ts'), "export { answer } from './helper.test-helper.ts';\n");
    const build = (outdir: string) => run(process.execPath, [join(checkout, 'scripts', 'build.mjs'), '--outdir', outdir]);

    for (const outdir of [checkout, join(checkout, 'src', 'out')]) {
      await assert.rejects(build(outdir), (error: { stderr: string }) => /refusing to build into .*: it would replace the sources/.test(error.stderr));
    }
    assert.ok(existsSync(join(checkout, 'src', 'main.ts')));
    await assert.rejects(build(join(checkout, 'dist')), (error: { stderr: string }) =>
      /src\/main\.ts: imports src\/helper\.test-helper\.ts, which is not part of the build/.test(error.stderr));
  });
});

describe('the Workers bundle', () => {
  const bundle = async (name: string, source: string) => {
    const entry = join(dir, `${name}.ts`);
    await writeFile(entry, source);
    return run(process.execPath, [join(repoRoot, 'scripts', 'build-worker.mjs'), '--entry', entry, '--outfile', join(dir, `${name}.js`)]);
  };

  it('refuses a Node built-in and a Node-only module of the project, naming the importer', async () => {
    await assert.rejects(bundle('builtin', "import { readFileSync } from 'node:fs';\nexport default { fetch: () => new Response(readFileSync('x')) };\n"), (error: { stderr: string }) =>
      /builtin\.ts imports the Node built-in "node:fs", which the Workers bundle cannot include/.test(error.stderr));
    const nodeOnly = relative(dir, join(repoRoot, 'src', 'runtimes', 'node', 'services.ts')).split(sep).join('/');
    await assert.rejects(bundle('node-only', `import { createNodeServices } from './${nodeOnly}';\nexport default { fetch: () => new Response(String(createNodeServices)) };\n`), (error: { stderr: string }) =>
      /node-only\.ts imports src\/runtimes\/node\/services\.ts, which runs on Node only/.test(error.stderr));
  });
});

describe('bin/sluice.js', () => {
  it('says how to build when dist/ is missing, and exits 1', async () => {
    const bin = join(dir, 'checkout', 'bin', 'sluice.js');
    await mkdir(dirname(bin), { recursive: true });
    await copyFile(launcher, bin);
    const result = await run(process.execPath, [bin, '--help']).then(
      () => assert.fail('expected a failure'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^sluice: the compiled CLI \(dist\/cli\/main\.js\) is missing\. Build it with `npm run build`/);
  });
});

/** The modules the launcher loads for `args`, as paths relative to the checkout (packages by name). */
async function modulesLoaded(args: string[]): Promise<Set<string>> {
  const trace = join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const hooks = join(dir, 'trace-hooks.mjs');
  const register = join(dir, 'trace-register.mjs');
  if (!existsSync(register)) {
    await writeFile(hooks, [
      "import { appendFileSync } from 'node:fs';",
      'export async function resolve(specifier, context, next) {',
      '  const result = await next(specifier, context);',
      "  if (result.url.startsWith('file:')) appendFileSync(process.env.SLUICE_MODULE_TRACE, result.url + '\\n');",
      '  return result;',
      '}',
    ].join('\n'));
    await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${hooks}`).href)});\n`);
  }
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, ['--import', register, launcher, ...args], {
      cwd: repoRoot,
      env: { ...process.env, SLUICE_MODULE_TRACE: trace },
      stdio: 'ignore',
    });
    child.on('error', fail);
    child.on('close', done);
  });
  assert.equal(code, 0, `sluice ${args.join(' ')}`);
  const root = new URL(`file://${repoRoot}`).href;
  const loaded = new Set<string>();
  for (const url of (await readFile(trace, 'utf8')).split('\n').filter(Boolean)) {
    const path = url.startsWith(root) ? url.slice(root.length) : url;
    const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
    loaded.add(pkg ? `package:${pkg}` : path);
  }
  return loaded;
}

describe('lazy loading in the build', () => {
  it('sluice --help loads the root of the CLI only: no command, no package', async () => {
    const loaded = await modulesLoaded(['--help']);
    assert.deepEqual([...loaded].sort(), ['bin/sluice.js', 'dist/cli/command.js', 'dist/cli/commands/index.js', 'dist/cli/main.js', 'dist/cli/version.js']);
  });

  it('a command’s help loads that command’s module and no packages', async () => {
    const serve = await modulesLoaded(['serve', '--help']);
    assert.ok(serve.has('dist/cli/commands/serve.js'));
    const keys = await modulesLoaded(['keys', '--help']);
    assert.ok(keys.has('dist/cli/commands/keys.js'));
    for (const [name, loaded] of [['serve', serve], ['keys', keys]] as const) {
      const packages = [...loaded].filter((m) => m.startsWith('package:') || m.startsWith('file:'));
      assert.deepEqual(packages, [], `${name} --help`);
      assert.ok(!loaded.has('dist/runtimes/node/server.js'), `${name} --help loads the server`);
      assert.ok(!loaded.has('dist/runtimes/node/config-file.js'), `${name} --help loads the config loader`);
    }
    assert.ok(!serve.has('dist/cli/commands/keys.js'));
    assert.ok(!keys.has('dist/cli/commands/serve.js'));
  });

  it('validate-config loads the configuration loader, but neither the server nor SQLite', async () => {
    const loaded = await modulesLoaded(['validate-config', 'examples/sluice.yaml']);
    assert.ok(loaded.has('dist/runtimes/node/config-file.js'));
    assert.ok(loaded.has('package:yaml') && loaded.has('package:zod'));
    assert.ok(!loaded.has('dist/runtimes/node/server.js'));
    assert.ok(!loaded.has('package:better-sqlite3'));
    assert.ok(![...loaded].some((m) => m.startsWith('package:tsx')), 'runs under plain node');
  });
});
