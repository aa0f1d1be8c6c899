import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { linesOf, options } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';

const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_FILE = { type: 'service_account', client_email: 'reader@proj.iam.gserviceaccount.com', private_key: PRIVATE_KEY, private_key_id: 'k1', token_uri: 'https://oauth2.googleapis.com/token' };
const PROVIDER = '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/sluice-pool/providers/sluice-oidc';

describe('validateConfig gcs connections', () => {
  it('fills defaults: whole bucket, writable, anonymous, the default endpoint and multipart area', () => {
    const config = validateConfig({ connections: { g: { type: 'gcs', bucket: 'open-data' } } }, options);
    assert.deepEqual(config.connections.g, {
      type: 'gcs',
      name: 'g',
      bucket: 'open-data',
      prefix: '',
      multipartPrefix: '.sluice-multipart/',
      readOnly: false,
      auth: { type: 'none' },
    });
  });

  it('takes the service account key file as JSON text from the environment', () => {
    const config = validateConfig(
      { connections: { g: { type: 'gcs', bucket: 'my.bucket_1', prefix: 'data', auth: { type: 'serviceAccountKey', key: '${env:GCS_KEY}' } } } },
      { ...options, env: { GCS_KEY: JSON.stringify(KEY_FILE) } },
    );
    const connection = config.connections.g as unknown as { prefix: string; auth: { key: { client_email: string } } };
    assert.equal(connection.prefix, 'data/');
    assert.equal(connection.auth.key.client_email, KEY_FILE.client_email);
  });

  it('accepts workload identity federation with a service account', () => {
    const config = validateConfig(
      { connections: { g: { type: 'gcs', bucket: 'bkt', auth: { type: 'workload-identity', audience: PROVIDER, serviceAccount: 'sluice@proj.iam.gserviceaccount.com' } } } },
      options,
    );
    assert.deepEqual((config.connections.g as unknown as { auth: unknown }).auth, { type: 'workload-identity', audience: PROVIDER, serviceAccount: 'sluice@proj.iam.gserviceaccount.com' });
  });

  it('reports every problem at once', () => {
    const lines = linesOf({
      connections: {
        bad: { type: 'gcs', bucket: 'Bad_Bucket!', endpoint: 'ftp://example.com', prefix: '/abs', multipartPrefix: '', region: 'x', auth: { type: 'serviceAccountKey', key: '{not json' } },
        fed: { type: 'gcs', bucket: 'goog-bucket', auth: { type: 'workload-identity', audience: 'projects/1/pools/x', serviceAccount: 'not an email' } },
        key: { type: 'gcs', bucket: 'ok-bucket', auth: { type: 'serviceAccountKey', key: { client_email: 'x@y', private_key: 'nope' } } },
      },
    });
    const text = lines.join('\n');
    for (const path of [
      'connections.bad.bucket', 'connections.bad.endpoint', 'connections.bad.prefix', 'connections.bad.multipartPrefix', 'connections.bad.region', 'connections.bad.auth.key',
      'connections.fed.bucket', 'connections.fed.auth.audience', 'connections.fed.auth.serviceAccount', 'connections.key.auth.key',
    ]) {
      assert.ok(text.includes(`${path}:`), `${path} reported in:\n${text}`);
    }
  });
});
