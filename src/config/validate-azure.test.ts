import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linesOf, options } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';

const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

describe('validateConfig azure connections', () => {
  it('fills defaults: whole container, writable, anonymous, the account endpoint left to the backend', () => {
    const config = validateConfig({ connections: { blobs: { type: 'azure', account: 'myaccount', container: 'data' } } }, options);
    assert.deepEqual(config.connections.blobs, {
      type: 'azure',
      name: 'blobs',
      account: 'myaccount',
      container: 'data',
      prefix: '',
      readOnly: false,
      auth: { type: 'none' },
    });
  });

  it('takes the account key from the environment and normalises the prefix', () => {
    const config = validateConfig(
      {
        connections: {
          dev: {
            type: 'azure',
            account: 'devstoreaccount1',
            container: 'research-data',
            endpoint: 'http://127.0.0.1:10000/devstoreaccount1',
            prefix: 'sluice',
            readOnly: true,
            auth: { type: 'sharedKey', accountKey: '${env:AZURE_KEY}' },
          },
        },
      },
      { ...options, env: { AZURE_KEY: KEY } },
    );
    assert.deepEqual(config.connections.dev, {
      type: 'azure',
      name: 'dev',
      account: 'devstoreaccount1',
      container: 'research-data',
      endpoint: 'http://127.0.0.1:10000/devstoreaccount1',
      prefix: 'sluice/',
      readOnly: true,
      auth: { type: 'sharedKey', accountKey: KEY },
    });
  });

  it('accepts a SAS token', () => {
    const config = validateConfig({ connections: { s: { type: 'azure', account: 'acct123', container: 'c-1x', auth: { type: 'sas', token: 'sv=2021-12-02&sig=abc' } } } }, options);
    assert.deepEqual((config.connections.s as { auth?: unknown }).auth, { type: 'sas', token: 'sv=2021-12-02&sig=abc' });
  });

  it('reports every problem at once', () => {
    const lines = linesOf({
      connections: {
        bad: {
          type: 'azure',
          account: 'My_Account',
          container: 'No--Good',
          endpoint: 'ftp://example.com',
          prefix: '/abs',
          auth: { type: 'sharedKey', accountKey: 'not base64!' },
          region: 'x',
        },
        sas: { type: 'azure', account: 'acct123', container: 'ok-container', auth: { type: 'sas', token: '' } },
      },
    });
    const text = lines.join('\n');
    for (const path of ['connections.bad.account', 'connections.bad.container', 'connections.bad.endpoint', 'connections.bad.prefix', 'connections.bad.auth.accountKey', 'connections.bad.region', 'connections.sas.auth.token']) {
      assert.ok(text.includes(`${path}:`), `${path} reported in:\n${text}`);
    }
  });
});
