/**
 * examples/sts.yaml is a valid configuration once its session keys are in
 * the environment, generated the way the file says (openssl), and it
 * defines what the documentation promises.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { loadConfigFile } from '../../src/runtimes/node/config-file.ts';
import { runCli } from './run-cli.ts';

const env = {
  SLUICE_SESSION_HMAC_SECRET: execFileSync('openssl', ['rand', '-base64', '32'], { encoding: 'utf8' }).trim(),
  SLUICE_SESSION_SIGNING_KEY: execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], { encoding: 'utf8' }),
};

describe('examples/sts.yaml', () => {
  it('validates with the session keys set, and defines the local issuer, the reader role and its grant', async () => {
    const config = await loadConfigFile('examples/sts.yaml', env);
    assert.equal(config.server.listen, '127.0.0.1:9000');
    const [provider] = config.sts!.identityProviders;
    assert.deepEqual([provider!.issuer, provider!.audiences, provider!.local], ['http://127.0.0.1:9099', ['sluice'], true]);
    const [role] = config.sts!.roles;
    assert.equal(`${role!.account}::role/${role!.name}`, 'demo::role/reader');
    assert.deepEqual(role!.bindings[0]!.constraints, [{ claim: 'sub', operator: 'starts_with', value: 'repo:example-org/' }]);
    assert.deepEqual(role!.ceiling, [{ bucket: 'private', actions: ['read'] }]);
    assert.deepEqual(config.accounts.find((a) => a.name === 'demo')?.grants, [{ bucket: 'private', actions: ['read'] }]);
  });

  it('sluice validate-config accepts it with the keys set and names the missing variables without them', async () => {
    const ok = await runCli(['validate-config', 'examples/sts.yaml'], env);
    assert.equal(ok.code, 0, ok.stderr);
    const missing = await runCli(['validate-config', 'examples/sts.yaml'], { SLUICE_SESSION_HMAC_SECRET: undefined, SLUICE_SESSION_SIGNING_KEY: undefined });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /SLUICE_SESSION_HMAC_SECRET/);
    assert.match(missing.stderr, /SLUICE_SESSION_SIGNING_KEY/);
  });
});
