import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linesOf, options } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';

const s3 = { type: 's3', endpoint: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1', bucket: 'data' };
const ROLE = 'arn:aws:iam::123456789012:role/sluice-federated';

describe('validateConfig: issuer and outbound auth', () => {
  it('accepts the issuer with defaults and keeps the URL without a trailing slash', () => {
    const config = validateConfig({ issuer: { url: 'https://sluice.example.com/', keys: [{ privateKey: '${env:KEY}' }] } }, { ...options, env: { KEY: 'pem' } });
    assert.deepEqual(config.issuer, { url: 'https://sluice.example.com', keys: [{ privateKey: 'pem' }], jwksMaxAgeSeconds: 300 });
  });

  it('refuses an issuer URL with a path, a query or another scheme, and an empty key list', () => {
    assert.deepEqual(linesOf({ issuer: { url: 'https://sluice.example.com/oidc' } }).length, 1);
    assert.match(linesOf({ issuer: { url: 'https://sluice.example.com/oidc' } })[0]!, /issuer\.url: must not have a path/);
    assert.match(linesOf({ issuer: { url: 'https://sluice.example.com?x=1' } })[0]!, /query/);
    assert.match(linesOf({ issuer: { url: 'ftp://sluice.example.com' } })[0]!, /https/);
    assert.match(linesOf({ issuer: { url: 'https://s.example.com', keys: [] } })[0]!, /issuer\.keys: list at least one key/);
    assert.match(linesOf({ issuer: { url: 'https://s.example.com', keys: [{ privateKey: 'x', alg: 'HS256' }] } })[0]!, /issuer\.keys\[0\]\.alg: must be one of/);
  });

  it('web-identity auth: defaults, a session policy mapping becomes JSON text', () => {
    const config = validateConfig({
      connections: {
        federated: { ...s3, auth: { type: 'web-identity', roleArn: ROLE, sessionPolicy: { Version: '2012-10-17', Statement: [] } } },
      },
    }, options);
    assert.deepEqual(config.connections.federated!.auth, {
      type: 'web-identity',
      roleArn: ROLE,
      audience: 'sts.amazonaws.com',
      sessionPolicy: '{"Version":"2012-10-17","Statement":[]}',
    });
  });

  it('web-identity auth: a bad role ARN, duration or STS endpoint is named', () => {
    const lines = linesOf({
      connections: {
        federated: { ...s3, auth: { type: 'web-identity', roleArn: 'arn:aws:iam::12:user/x', durationSeconds: 60, stsEndpoint: 'sts' } },
      },
    });
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('connections.federated.auth.roleArn: must be an IAM role ARN')));
    assert.ok(lines.some((l) => l.startsWith('connections.federated.auth.durationSeconds')));
    assert.ok(lines.some((l) => l.startsWith('connections.federated.auth.stsEndpoint')));
  });

  it('stored auth and unknown auth types', () => {
    const config = validateConfig({ connections: { lab: { ...s3, auth: { type: 'stored' } } } }, options);
    assert.deepEqual(config.connections.lab!.auth, { type: 'stored' });
    assert.equal(linesOf({ connections: { lab: { ...s3, auth: { type: 'password' } } } }).length, 1);
  });
});
