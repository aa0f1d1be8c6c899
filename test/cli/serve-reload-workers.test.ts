/**
 * `sluice serve` (the compiled build) reloading on SIGHUP without dropping a
 * connection, refusing an invalid reload, and `--workers N` supervising
 * worker processes that share the port, reload, are replaced when they die
 * and stop together.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { assertBuildIsCurrent, launcher, repoRoot } from './run-cli.ts';

interface Served {
  child: ChildProcess;
  lines(): Record<string, unknown>[];
  /** Waits (bounded) until `count` log lines match. */
  waitFor(match: (line: Record<string, unknown>) => boolean, count?: number, timeoutMs?: number): Promise<Record<string, unknown>[]>;
  exited: Promise<number | null>;
}

function serve(t: TestContext, args: string[]): Served {
  const child = spawn(process.execPath, [launcher, 'serve', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const lines = () => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    child,
    lines,
    exited,
    async waitFor(match, count = 1, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines().filter(match);
        if (found.length >= count) return found;
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`waited for ${count} matching log lines; got:\n${text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

function configText(objects: string, isPublic: boolean): string {
  return ['server:', '  listen: 127.0.0.1:0', 'connections:', '  disk:', '    type: fs', `    root: ${objects}`, 'buckets:', '  data:', '    connection: disk', `    public: ${isPublic}`, ''].join('\n');
}

/** GET through `agent`; the status and the local port of the connection used. */
function get(url: string, agent: Agent): Promise<{ status: number; localPort: number }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/data/hello.txt`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, localPort: req.socket!.localPort! }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function setup(t: TestContext, isPublic: boolean) {
  assertBuildIsCurrent();
  const dir = await mkdtemp(join(tmpdir(), 'sluice-reload-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'objects'));
  await writeFile(join(dir, 'objects', 'hello.txt'), 'hello');
  const configPath = join(dir, 'sluice.yaml');
  await writeFile(configPath, configText(join(dir, 'objects'), isPublic));
  return { dir, configPath, objects: join(dir, 'objects') };
}

describe('sluice serve reloads on SIGHUP', () => {
  it('applies a new configuration on a kept-alive connection, and keeps the old one when the new is invalid', async (t) => {
    const { configPath, objects } = await setup(t, false);
    const server = serve(t, ['--config', configPath, '--listen', '127.0.0.1:0']);
    const [listening] = await server.waitFor((l) => l.msg === 'listening');
    const url = String(listening!.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => agent.destroy());

    const before = await get(url, agent);
    assert.equal(before.status, 403);
    await writeFile(configPath, configText(objects, true));
    server.child.kill('SIGHUP');
    await server.waitFor((l) => l.msg === 'reloaded');
    const after = await get(url, agent);
    assert.equal(after.status, 200);
    assert.equal(after.localPort, before.localPort, 'the same connection served both');

    await writeFile(configPath, 'server:\n  listen: nowhere\nbuckets:\n  data:\n    connection: missing\n');
    server.child.kill('SIGHUP');
    const [refused] = await server.waitFor((l) => String(l.msg).startsWith('reload refused'));
    assert.ok(Array.isArray(refused!.problems) && (refused!.problems as string[]).some((p) => /connection/.test(p)));
    assert.equal((await get(url, agent)).status, 200, 'still serving the last good configuration');

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
  });
});

describe('sluice serve --workers', () => {
  it('runs the workers on one port, reloads them, replaces one that dies, and stops them together', async (t) => {
    const { configPath } = await setup(t, true);
    const server = serve(t, ['--config', configPath, '--listen', '127.0.0.1:0', '--workers', '2']);
    const listening = await server.waitFor((l) => l.msg === 'listening', 2);
    const urls = new Set(listening.map((l) => l.url));
    assert.equal(urls.size, 1, 'one shared port');
    const pids = new Set(listening.map((l) => l.pid));
    assert.equal(pids.size, 2, 'two worker processes');
    assert.ok(!pids.has(server.child.pid), 'the supervisor serves nothing itself');
    const url = String([...urls][0]);

    const agent = new Agent({ keepAlive: false });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => get(url, agent).then((r) => r.status)));
    assert.deepEqual(new Set(statuses), new Set([200]));

    server.child.kill('SIGHUP');
    await server.waitFor((l) => l.msg === 'reloaded', 2);

    process.kill(Number(listening[0]!.pid), 'SIGKILL');
    await server.waitFor((l) => l.msg === 'worker exited; starting another');
    const after = await server.waitFor((l) => l.msg === 'listening', 3);
    assert.ok(!pids.has(after[2]!.pid), 'a new worker took its place');
    assert.equal((await get(url, agent)).status, 200);

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    assert.equal(server.lines().filter((l) => l.msg === 'stopped').length, 3, 'both workers and the supervisor stopped');
  });
});
