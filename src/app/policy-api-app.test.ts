/**
 * The app with `policy.type: api`: products come from a remote policy API
 * (a local HTTP server with a static bearer), requests in path-mapped mode
 * reach them, and when the API has been down past every bound a request is
 * answered 503 ServiceUnavailable — not served, not denied as if absent.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { portableBackends } from '../backends/portable-registry.ts';
import { bytesBody, readAll } from '../core/body.ts';
import type { GatewayRequest } from '../core/http.ts';
import { createNodeHttpClient } from '../runtimes/node/http-client.ts';
import { testConfig } from '../../test/support/gateway-config.ts';
import { createApp } from './create-app.ts';

const TOKEN = 'static-policy-api-token-0123';
let down = false;
let url = '';
const server = createServer((req, res) => {
  if (down) return void res.writeHead(503).end();
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
  const products: Record<string, unknown> = {
    '/v1/accounts/acme/products/open': { account: 'acme', name: 'open', visibility: 'public', dataConnection: { id: 'main', prefix: 'acme/open/' } },
    '/v1/accounts/acme/products/closed': { account: 'acme', name: 'closed', visibility: 'restricted', dataConnection: { id: 'main', prefix: 'acme/closed/' } },
  };
  const found = products[req.url ?? ''];
  res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' }).end(found ? JSON.stringify(found) : '');
});
const http = createNodeHttpClient();

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(async () => {
  http.close?.();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string): GatewayRequest => ({ method: 'GET', rawPath: path, rawQuery: '', headers: { host: 'sluice.test' }, client: {} });

describe('createApp with a remote policy API', () => {
  it('serves a public product the API describes, hides a restricted one, and answers 503 once the API is gone past the bound', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const config = testConfig({
      buckets: [],
      server: { addressing: 'path-mapped' },
      policy: { type: 'api', url, auth: { type: 'bearer', token: TOKEN }, cacheTtlSeconds: 30, lookups: { products: { ttlSeconds: 30, staleSeconds: 60 } } },
    });
    const app = await createApp(config, {
      runtime: { now: () => now, randomBytes: (b) => crypto.getRandomValues(b), log: { write: () => {} } },
      backends: portableBackends,
      httpClient: () => http,
    });
    await app.backends.get('main')!.put('acme/open/data.csv', bytesBody('a,b\n'), { contentType: 'text/csv' } as never);
    const open = await app.gateway.handle(get('/acme/open/data.csv'));
    assert.equal(open.status, 200);
    assert.equal(new TextDecoder().decode(await readAll(open.body!)), 'a,b\n');
    assert.equal((await app.gateway.handle(get('/acme/closed/x'))).status, 403);

    down = true;
    now = new Date(now.getTime() + 60_000);
    assert.equal((await app.gateway.handle(get('/acme/open/data.csv'))).status, 200, 'stale within the bound');
    now = new Date(now.getTime() + 31_000);
    const refused = await app.gateway.handle(get('/acme/open/data.csv'));
    assert.equal(refused.status, 503);
    assert.match(new TextDecoder().decode(await readAll(refused.body!)), /<Code>ServiceUnavailable<\/Code>/);
    await app.close();
  });
});
