import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commands } from './index.ts';

describe('the command registry', () => {
  it('lists the commands in help order, each entry naming and summarizing the command it loads', async () => {
    assert.deepEqual(commands.map((entry) => entry.name), ['serve', 'validate-config', 'keys', 'apikeys', 'accounts', 'roles', 'idps', 'sessions', 'creds', 'issuer', 'connections', 'db', 'd1']);
    for (const entry of commands) {
      const command = await entry.load();
      assert.equal(command.name, entry.name);
      assert.equal(command.summary, entry.summary, `summary of ${entry.name}`);
      assert.match(command.help, new RegExp(`^Usage: sluice ${entry.name} `));
    }
  });
});
