import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { repoRoot, runCli, spawnCli } from './run-cli.ts';

interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

/** Starts `sluice serve` and resolves once it logs where it listens; killed after the test if still running. */
async function serve(t: TestContext, args: string[]): Promise<Served> {
  const child = spawnCli(['serve', ...args]);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const event = JSON.parse(line) as { msg?: string; url?: string };
        if (event.msg === 'listening' && event.url) resolve(event.url);
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening: ${stderr}`)));
  });
  return { child, url, stdout: () => stdout, exited };
}

describe('sluice serve', () => {
  it('serves the bundled example: anonymous listing of example, 403 on private, then stops cleanly on SIGTERM', async (t) => {
    const server = await serve(t, ['--config', 'examples/sluice.yaml', '--listen', '127.0.0.1:0']);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);

    const listing = await fetch(`${server.url}/example?list-type=2`);
    assert.equal(listing.status, 200);
    const xml = await listing.text();
    assert.match(xml, /<Key>README\.txt<\/Key>/);
    assert.match(xml, /<Key>climate\/2024\/01\.json<\/Key>/);

    const object = await fetch(`${server.url}/example/stations.csv`);
    assert.equal(object.status, 200);
    assert.equal(await object.text(), await readFile(join(repoRoot, 'examples/data/example/stations.csv'), 'utf8'));

    const restricted = await fetch(`${server.url}/private?list-type=2`);
    assert.equal(restricted.status, 403);
    assert.match(await restricted.text(), /<Code>AccessDenied<\/Code>/);

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    const messages = server
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    assert.deepEqual(messages.slice(-2), ['shutting down', 'stopped']);
  });

  it('stops cleanly on SIGINT too', async (t) => {
    const server = await serve(t, ['--config', 'examples/sluice.yaml', '--listen', '127.0.0.1:0']);
    server.child.kill('SIGINT');
    assert.equal(await server.exited, 0);
  });

  it('exits 1 with a JSON error line when the address is taken', async (t) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const { port } = blocker.address() as { port: number };
    const result = await runCli(['serve', '--config', 'examples/sluice.yaml', '--listen', `127.0.0.1:${port}`]);
    assert.equal(result.code, 1);
    const event = JSON.parse(result.stderr.trim()) as { level: string; msg: string; error: string };
    assert.equal(event.level, 'error');
    assert.equal(event.msg, 'failed to start');
    assert.match(event.error, /EADDRINUSE/);
  });

  it('exits 1 and lists the problems for an invalid configuration', async () => {
    const result = await runCli(['serve', '--config', 'test/cli/does-not-exist.yaml']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /does-not-exist\.yaml: cannot read the file: no such file or directory/);
  });
});
