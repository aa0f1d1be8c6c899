import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, runCli } from './run-cli.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sluice root command', () => {
  it('prints the root help with every command for --help, -h and help', async () => {
    const runs = [['--help'], ['-h'], ['help']].map(async (args) => ({ args, result: await runCli(args) }));
    for (const { args, result } of await Promise.all(runs)) {
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, /^Usage: sluice <command> \[options\]/);
      assert.match(result.stdout, /\n  serve +start the S3 endpoint/);
      assert.match(result.stdout, /\n  validate-config +check a configuration file/);
      assert.equal(result.stderr, '');
    }
  });

  it('prints the package version for --version', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${version}\n`);
  });

  it('exits 2 with the usage when no command is given', async () => {
    const result = await runCli([]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^sluice: missing command\n\nUsage: sluice <command>/);
  });

  it('exits 2 with a clear message for an unknown command', async () => {
    const result = await runCli(['serv']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^sluice: unknown command "serv"\n\nUsage: sluice <command>/);
  });

  it('exits 2 for an unknown root option', async () => {
    const result = await runCli(['--verbose']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^sluice: unknown option --verbose\n/);
  });
});

describe('sluice <command> --help', () => {
  it('prints each command’s own help for --help, -h and help <command>', async () => {
    const expected: Record<string, RegExp> = {
      serve: /^Usage: sluice serve --config FILE \[--listen HOST:PORT\] \[--workers N\]\n/,
      'validate-config': /^Usage: sluice validate-config FILE\n/,
    };
    const runs = Object.entries(expected).flatMap(([name, usage]) =>
      [[name, '--help'], [name, '-h'], ['help', name]].map(async (args) => ({ args, usage, result: await runCli(args) })),
    );
    for (const { args, usage, result } of await Promise.all(runs)) {
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, usage, args.join(' '));
    }
  });

  it('exits 2 with the command’s usage for an unknown option', async () => {
    const result = await runCli(['validate-config', '--strict', 'x.yaml']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^sluice validate-config: unknown option --strict\n\nUsage: sluice validate-config FILE/);
  });

  it('exits 2 when an option is missing its value', async () => {
    const result = await runCli(['serve', '--config']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^sluice serve: option -c, --config needs a value\n/);
  });
});

describe('sluice validate-config', () => {
  it('accepts the bundled example and summarizes it', async () => {
    const result = await runCli(['validate-config', 'examples/sluice.yaml']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      'examples/sluice.yaml: OK\n1 connection (1 fs), 2 buckets (1 public, 1 restricted), path addressing, CORS on, listen 127.0.0.1:9000\n',
    );
  });

  it('accepts the file as --config too', async () => {
    const result = await runCli(['validate-config', '--config', 'examples/sluice.yaml']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^examples\/sluice\.yaml: OK\n/);
  });

  it('prints every problem with its path and exits 1', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'server:',
        '  listen: 9000',
        '  adressing: path',
        'connections:',
        '  mem: { type: memory }',
        'buckets:',
        '  Open_Data: { connection: mem }',
        '  other: { connection: disk }',
      ].join('\n'),
    );
    const result = await runCli(['validate-config', file]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      [
        `${file}: server.listen: expected a string, got a number`,
        `${file}: server.adressing: unknown field (did you mean "addressing"?)`,
        `${file}: buckets.Open_Data: bucket name may contain only lowercase letters, digits, dots and hyphens`,
        `${file}: buckets.other.connection: no such connection (defined: mem)`,
        '4 problems found',
        '',
      ].join('\n'),
    );
  });

  it('reads ${env:NAME} from its environment and never prints the values', async () => {
    const file = join(dir, 'env.json');
    await writeFile(file, JSON.stringify({ server: { tokenSecret: '${env:SLUICE_CLI_SECRET}', listen: '${env:SLUICE_CLI_LISTEN}' } }));
    const ok = await runCli(['validate-config', file], { SLUICE_CLI_SECRET: 'z'.repeat(40), SLUICE_CLI_LISTEN: '127.0.0.1:9100' });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /listen 127\.0\.0\.1:9100\n$/);
    assert.doesNotMatch(ok.stdout, /zzzz/);

    const bad = await runCli(['validate-config', file], { SLUICE_CLI_SECRET: 'too-short-secret', SLUICE_CLI_LISTEN: undefined });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /server\.tokenSecret: must be at least 32 characters/);
    assert.match(bad.stderr, /server\.listen: environment variable SLUICE_CLI_LISTEN is not set/);
    assert.doesNotMatch(bad.stderr, /too-short-secret/);
  });

  it('reports YAML syntax errors with line and column and exits 1', async () => {
    const file = join(dir, 'syntax.yaml');
    await writeFile(file, 'server:\n  listen: a: b\n');
    const result = await runCli(['validate-config', file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:11: YAML syntax error: `));
  });

  it('reports a missing file and exits 1', async () => {
    const result = await runCli(['validate-config', join(dir, 'nope.yaml')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /nope\.yaml: cannot read the file: no such file or directory\n1 problem found\n$/);
  });

  it('checks a file for Cloudflare Workers with --runtime workers: a D1 store passes there and is refused for Node', async () => {
    const file = join(dir, 'worker.yaml');
    await writeFile(file, [
      'connections: { scratch: { type: memory } }',
      'buckets: { reports: { connection: scratch } }',
      'policy: { type: d1, binding: SLUICE_DB, masterKey: "${env:SLUICE_CLI_MASTER_KEY}" }',
    ].join('\n'));
    const env = { SLUICE_CLI_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') };
    const workers = await runCli(['validate-config', '--runtime', 'workers', file], env);
    assert.equal(workers.code, 0, workers.stderr);
    assert.match(workers.stdout, /worker\.yaml: OK \(for Cloudflare Workers\)\n/);
    const node = await runCli(['validate-config', file], env);
    assert.equal(node.code, 1);
    assert.match(node.stderr, /policy\.type: type "d1" is not available on Node\.js: D1 is a Cloudflare Workers store/);

    const fs = join(dir, 'worker-fs.yaml');
    await writeFile(fs, 'connections: { disk: { type: fs, root: . } }\n');
    const refused = await runCli(['validate-config', '--runtime', 'workers', fs]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /connections\.disk\.type: type "fs" is not available on Cloudflare Workers/);
    assert.equal((await runCli(['validate-config', '--runtime', 'deno', file])).code, 2);
  });

  it('exits 2 without a file or with two', async () => {
    const none = await runCli(['validate-config']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^sluice validate-config: missing the configuration FILE\n/);
    const two = await runCli(['validate-config', 'a.yaml', 'b.yaml']);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /expected exactly one configuration FILE/);
  });
});
