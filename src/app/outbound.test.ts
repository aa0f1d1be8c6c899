/**
 * The app's outbound identity: issuer routes on the gateway, and S3
 * connections whose credentials come from web-identity federation, with
 * the token service's answers reaching the client as the right S3 errors:
 * a refused identity is 403, another refusal 502 BackendAuthenticationFailed,
 * an unreachable token service 503 — none of them revealing STS's answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { portableBackends } from '../backends/portable-registry.ts';
import { bytesBody, readAll } from '../core/body.ts';
import type { ConnectionConfig } from '../core/config.ts';
import type { GatewayRequest, HttpClient } from '../core/http.ts';
import { generateIssuerKey } from '../oidc/issuer/issuer-keys.ts';
import { bucket, testConfig } from '../../test/support/gateway-config.ts';
import { createApp } from './create-app.ts';

const STS = 'http://127.0.0.1:1/sts';

function get(path: string): GatewayRequest {
  return { method: 'GET', rawPath: path, rawQuery: '', headers: { host: 'sluice.test' }, client: {} };
}

async function appWith(sts: HttpClient['request']) {
  const { pem } = await generateIssuerKey('ES256');
  const federated: ConnectionConfig = {
    type: 's3', name: 'federated', readOnly: false, endpoint: 'http://127.0.0.1:1', region: 'us-east-1', bucket: 'store',
    forcePathStyle: true, prefix: '',
    auth: { type: 'web-identity', roleArn: 'arn:aws:iam::123456789012:role/r', audience: 'sts.amazonaws.com', stsEndpoint: STS },
  };
  const config = testConfig({ buckets: [bucket('data', { connection: 'federated', public: true })], connections: { federated } });
  config.issuer = { url: 'https://sluice.example.test', keys: [{ privateKey: pem }], jwksMaxAgeSeconds: 300 };
  const logged: Record<string, unknown>[] = [];
  const sent: string[] = [];
  const app = await createApp(config, {
    runtime: { now: () => new Date(), randomBytes: (b) => crypto.getRandomValues(b), log: { write: (e) => logged.push(e) } },
    backends: portableBackends,
    httpClient: () => ({
      async request(req) {
        sent.push(req.url);
        if (!req.url.startsWith(STS)) throw new Error('only STS is expected');
        return sts(req);
      },
    }),
  });
  return { app, logged, sent };
}

const stsError = (code: string) => `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>Not authorized: secret detail</Message></Error></ErrorResponse>`;

async function text(res: { body?: unknown }): Promise<string> {
  return res.body ? new TextDecoder().decode(await readAll(res.body as never)) : '';
}

describe('outbound identity in the app', () => {
  it('serves the issuer routes', async () => {
    const { app } = await appWith(async () => { throw new Error('unused'); });
    const res = await app.gateway.handle(get('/.well-known/openid-configuration'));
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(await text(res)).issuer, 'https://sluice.example.test');
    await app.close();
  });

  const cases: [string, HttpClient['request'], number, string][] = [
    ['a refused identity is 403 AccessDenied', async () => ({ status: 403, headers: {}, body: bytesBody(stsError('AccessDenied')) }), 403, 'AccessDenied'],
    ['an invalid token is 403 AccessDenied', async () => ({ status: 400, headers: {}, body: bytesBody(stsError('InvalidIdentityToken')) }), 403, 'AccessDenied'],
    ['another refusal is 502 BackendAuthenticationFailed', async () => ({ status: 400, headers: {}, body: bytesBody(stsError('MalformedPolicyDocument')) }), 502, 'BackendAuthenticationFailed'],
    ['an unreachable token service is 503', async () => { throw new Error('connect ECONNREFUSED'); }, 503, 'ServiceUnavailable'],
  ];
  for (const [name, sts, status, code] of cases) {
    it(name, async () => {
      const { app, logged, sent } = await appWith(sts);
      const res = await app.gateway.handle(get('/data/key.txt'));
      const body = await text(res);
      assert.equal(res.status, status, body);
      assert.match(body, new RegExp(`<Code>${code}</Code>`));
      assert.doesNotMatch(body, /secret detail|Not authorized|eyJ/);
      assert.equal(sent.length, 1, 'the token service was asked once; S3 was never called');
      assert.ok(logged.some((e) => e.event === 'federation.credentials_failed'), 'the failure is logged for the operator');
      assert.doesNotMatch(JSON.stringify(logged), /eyJ[\w-]+\.eyJ/, 'no token in the log');
      await app.close();
    });
  }

  it('a web-identity connection without an issuer is refused at start-up', async () => {
    const config = testConfig({
      buckets: [bucket('data', { connection: 'federated' })],
      connections: {
        federated: {
          type: 's3', name: 'federated', readOnly: false, endpoint: 'http://127.0.0.1:1', region: 'us-east-1', bucket: 'store',
          forcePathStyle: true, prefix: '', auth: { type: 'web-identity', roleArn: 'arn:aws:iam::123456789012:role/r', audience: 'sts.amazonaws.com' },
        },
      },
    });
    await assert.rejects(createApp(config, {
      runtime: { now: () => new Date(), randomBytes: (b) => crypto.getRandomValues(b), log: { write() {} } },
      backends: portableBackends,
      httpClient: () => ({ request: async () => { throw new Error('unused'); } }),
    }), /needs the issuer section/);
  });
});
