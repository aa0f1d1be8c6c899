import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../config/validate.ts';
import type { SluiceConfig } from '../../core/config.ts';
import { nodeBackends } from '../../runtimes/node/backend-registry.ts';
import { es256Pem, randomHmacSecret } from '../../sts/session-keyring.test-helper.ts';
import { OidcIssuer } from '../../../test/support/oidc-issuer.ts';
import type { CliIo } from '../command.ts';
import { createIdpsCommand } from './idps.ts';
import { defaultKeysDependencies, openConfiguredStore } from './keys-store.ts';
import { createRolesCommand } from './roles.ts';

let dir: string;
let issuer: OidcIssuer;
let config: SluiceConfig;

before(async () => {
  issuer = await OidcIssuer.start();
  dir = await mkdtemp(join(tmpdir(), 'sluice-idps-cli-'));
  config = validateConfig({
    policy: { sqlitePath: join(dir, 'policy.db'), masterKey: Buffer.alloc(32, 3).toString('base64') },
    accounts: { campus: { grants: [] }, other: { grants: [] } },
    sts: { sessions: { hmacSecrets: [{ version: 1, secret: randomHmacSecret() }], signingKeys: [{ kid: 's1', privateKey: (await es256Pem()).privateKey }] } },
  }, { source: 'test', baseDir: dir, env: {}, backends: nodeBackends });
});

after(async () => {
  await issuer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const deps = () => ({ ...defaultKeysDependencies, loadConfig: async () => config, openStore: openConfiguredStore, fetch: (url: string, init: RequestInit) => fetch(url, init) });

async function run(command: 'idps' | 'roles', args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const cmd = command === 'idps' ? createIdpsCommand(deps()) : createRolesCommand(deps());
  const [sub, ...rest] = args;
  const code = await cmd.run([sub!, '-c', 'sluice.yaml', ...rest], io);
  return { code, out, err };
}

const roleFile = async (account: string, provider: string) => {
  const path = join(dir, `${account}-role.json`);
  await writeFile(path, JSON.stringify({
    account, name: 'ci',
    bindings: [{ provider, audience: 'sluice', claims: [{ claim: 'project_path', operator: 'equals', value: `${account}/x` }] }],
    permissions: [{ actions: ['read'], resources: ['*'] }],
  }));
  return path;
};

describe('sluice idps', () => {
  it('add refuses an invalid registration, listing every problem, without fetching', async () => {
    const result = await run('idps', ['add', '--account', 'campus', '--id', 'Bad', '--issuer', issuer.issuer]);
    assert.equal(result.code, 1);
    assert.deepEqual(result.err, [
      'sluice idps add: --id: must be lower-case letters, digits and hyphens (at most 63), starting with a letter or digit',
      'sluice idps add: --audience: name at least one audience',
      'sluice idps add: --issuer: must be an https URL (plain http only with local: true)',
    ]);
    assert.equal(issuer.hitCount('discovery'), 0);
  });

  it('add registers a local issuer after checking its discovery document, and audits it', async () => {
    const result = await run('idps', ['add', '--account', 'campus', '--id', 'campus-gitlab', '--issuer', issuer.issuer, '--audience', 'sluice', '--claims', 'gitlab-ci', '--local']);
    assert.equal(result.code, 0, result.err.join('\n'));
    assert.match(result.out[0]!, /^Registered identity provider campus-gitlab/);
    assert.equal(JSON.parse(result.err[0]!).event, 'idp.registered');
    assert.equal(issuer.hitCount('discovery'), 1);
    const listed = await run('idps', ['list', '--account', 'campus', '--json']);
    assert.deepEqual(JSON.parse(listed.out[0]!).map((p: { id: string; issuer: string }) => [p.id, p.issuer]), [['campus-gitlab', issuer.issuer]]);
    assert.deepEqual((await run('idps', ['list', '--account', 'other'])).out, ['No identity providers.']);
  });

  it('roles put accepts the account\'s role bound to it and refuses another account\'s', async () => {
    const own = await run('roles', ['put', await roleFile('campus', 'campus-gitlab')]);
    assert.equal(own.code, 0, own.err.join('\n'));
    const foreign = await run('roles', ['put', await roleFile('other', 'campus-gitlab')]);
    assert.equal(foreign.code, 1);
    assert.match(foreign.err.join('\n'), /bindings\.0\.provider: is not an identity provider of the platform or of the role's account/);
  });

  it('remove deletes only the account\'s own provider', async () => {
    assert.equal((await run('idps', ['remove', '--account', 'other', '--id', 'campus-gitlab'])).code, 1);
    const removed = await run('idps', ['remove', '--account', 'campus', '--id', 'campus-gitlab']);
    assert.equal(removed.code, 0, removed.err.join('\n'));
    assert.equal(JSON.parse(removed.err[0]!).event, 'idp.removed');
    assert.deepEqual((await run('idps', ['list', '--account', 'campus'])).out, ['No identity providers.']);
  });
});
