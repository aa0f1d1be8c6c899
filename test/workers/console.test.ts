/**
 * The web console on Cloudflare Workers, in a real browser: the production
 * Workers entry (console files embedded by the build) in workerd, configured
 * from the SLUICE_CONFIG binding with its secrets from other bindings, a
 * memory connection inside the Worker, STS trusting a local OpenID Connect
 * issuer on loopback — and a headless browser driven by playwright-core,
 * launched as the Node console tests launch it (`test/console/browsers.ts`:
 * Debian's Chromium unless SLUICE_CONSOLE_BROWSER says otherwise, with what
 * the CSP blocked reported as console errors). The console's files and headers; anonymous browsing of a
 * public bucket with previews, nothing blocked by the CSP and no errors;
 * sign-in with the authorization code and PKCE, whose code exchange the
 * Worker relays to the issuer; the account's buckets; an upload; and a share
 * link that a plain HTTP client downloads.
 * Screenshots go to test-artifacts/workers-console/.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { es256Pem, randomHmacSecret } from '../../src/sts/session-keyring.test-helper.ts';
import { launchBrowser } from '../console/browsers.ts';
import { OidcIssuer } from '../support/oidc-issuer.ts';
import { type RunningWorker, startWorker } from './workerd.ts';

const ENTRY = fileURLToPath(new URL('../../src/runtimes/workers/entry.ts', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/workers-console/', import.meta.url));
/** Publishes the public bucket's files before the browser looks (the memory connection starts empty). */
const PUBLISHER = { accessKeyId: 'SLAKWORKERSPUBLISH01', secretAccessKey: 'publisher-secret-0123456789abcdef' };
const UPLOADED = 'Written from the browser into a Worker.\n';

const config = (issuer: string) => `
server:
  accessLog: false
connections:
  isolate: { type: memory }
buckets:
  public: { connection: isolate, prefix: public/, public: true }
  data: { connection: isolate, prefix: data/ }
accounts:
  acme:
    grants: [{ bucket: data, actions: [read, write] }]
  publisher:
    grants: [{ bucket: public, actions: [read, write] }]
accessKeys:
  ${PUBLISHER.accessKeyId}: { secret: "\${env:PUBLISHER_SECRET}", account: publisher }
sts:
  identityProviders:
    - { id: corp, issuer: "${issuer}", audiences: [sluice-console], local: true }
  primaryIdentityProvider: corp
  roles:
    - account: acme
      name: analyst
      description: reads every bucket
      bindings:
        - provider: corp
          audience: sluice-console
          claims: [{ claim: sub, operator: equals, value: acme }]
      permissions: [{ actions: [read], resources: ["*"] }]
  sessions:
    hmacSecrets: [{ version: 1, secret: "\${env:SLUICE_SESSION_HMAC_SECRET}" }]
    signingKeys: [{ kid: session-1, privateKey: "\${env:SLUICE_SESSION_SIGNING_KEY}" }]
console:
  oidc: { issuer: "${issuer}", clientId: sluice-console }
`;

let dir: string;
let issuer: OidcIssuer;
let worker: RunningWorker;
let browser: Browser;
let page: Page;
/** What the page reported: console errors (CSP violations among them) and uncaught exceptions. */
const errors: string[] = [];

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function publish(key: string, content: string, contentType: string): Promise<void> {
  const url = `${worker.origin}/public/${key}`;
  const headers = await signRequest(
    { method: 'PUT', url, headers: { 'content-type': contentType } },
    PUBLISHER,
    { region: 'us-east-1', service: 's3', payloadHash: createHash('sha256').update(content).digest('hex') },
  );
  delete headers.host;
  const response = await fetch(url, { method: 'PUT', headers, body: content });
  assert.equal(response.status, 200, await response.text());
}

before(async () => {
  // First, so a missing browser fails the suite before anything starts.
  browser = await launchBrowser();
  await mkdir(ARTIFACTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'sluice-workers-console-'));
  issuer = await OidcIssuer.start();
  issuer.loginSubject = 'acme';
  worker = await startWorker(ENTRY, {
    SLUICE_CONFIG: config(issuer.issuer),
    SLUICE_SESSION_HMAC_SECRET: randomHmacSecret(),
    SLUICE_SESSION_SIGNING_KEY: (await es256Pem()).privateKey,
    PUBLISHER_SECRET: PUBLISHER.secretAccessKey,
  });
  await publish('README.txt', 'Open data, free to read.\n', 'text/plain');
  await publish('maps/regions.json', JSON.stringify({ regions: ['north', 'south'] }), 'application/json');
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.on('dialog', (dialog) => void dialog.accept());
  page.on('console', (message) => message.type() === 'error' && errors.push(`console: ${message.text()}`));
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
});

after(async () => {
  await browser?.close();
  await worker?.stop();
  await issuer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the web console on Workers, in a browser', () => {
  it('serves index.html uncached and the embedded hashed assets for a year, all under a strict CSP', async () => {
    const index = await fetch(`${worker.origin}/.console/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /connect-src 'self'(;|$)/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(index.headers.get('referrer-policy'), 'no-referrer');
    const html = await index.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
    const script = /src="(assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'index.html names its script');
    // Identity asked for: the edge (and Miniflare, like it) compresses text for clients that accept gzip.
    const asset = await fetch(`${worker.origin}/.console/${script}`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(asset.headers.get('content-security-policy') ?? '', /script-src 'self'(;|$)/);
    const body = await asset.arrayBuffer();
    assert.equal(Number(asset.headers.get('content-length')), body.byteLength, 'the whole embedded file');
    const settings = await fetch(`${worker.origin}/.console/config.json`);
    assert.equal(settings.headers.get('cache-control'), 'no-cache');
    const signIn = ((await settings.json()) as { signIn: { authorizationEndpoint: string } | null }).signIn;
    assert.equal(signIn?.authorizationEndpoint, `${issuer.issuer}/authorize`, 'the Worker read the issuer\'s discovery document');
    const redirect = await fetch(`${worker.origin}/.console`, { redirect: 'manual' });
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get('location'), '/.console/');
    const missing = await fetch(`${worker.origin}/.console/assets/nothing.js`);
    assert.equal(missing.status, 404);
    await missing.arrayBuffer();
  });

  it('browses a public bucket anonymously with text and JSON previews, nothing blocked and no errors', async () => {
    await page.goto(`${worker.origin}/.console/`);
    await page.getByText('Browsing anonymously').waitFor();
    await page.getByLabel('Bucket name').fill('public');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('link', { name: 'README.txt' }).click();
    await page.locator('pre.preview-text').getByText('Open data, free to read.').waitFor();
    await page.goto(`${worker.origin}/.console/#/b/public/`);
    await page.getByRole('link', { name: 'maps/' }).click();
    await page.getByRole('link', { name: 'regions.json' }).click();
    await page.locator('pre.preview-text').getByText('"north"').waitFor();
    await screenshot('anonymous-object');
    assert.deepEqual(errors, [], 'no errors in the page, nothing the CSP had to block');
  });

  it('signs in with the authorization code and PKCE, the Worker relaying the code exchange, and lists the account\'s buckets', async () => {
    await page.goto(`${worker.origin}/.console/#/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in').waitFor();
    assert.match(await page.getByTestId('signed-in').innerText(), /Signed in as acme/);
    assert.equal(new URL(page.url()).search, '', 'the code is removed from the address bar');
    assert.deepEqual(issuer.refusals, [], 'the issuer accepted the code, client, redirect URI and verifier');
    for (const bucket of ['data', 'public']) await page.getByRole('link', { name: bucket, exact: true }).waitFor();
    await screenshot('buckets');
    assert.deepEqual(errors, []);
  });

  it('uploads a file into the writable bucket, lists it, and makes a share link that plain HTTP downloads', async () => {
    await page.getByRole('link', { name: 'data', exact: true }).click();
    const source = join(dir, 'notes.txt');
    await writeFile(source, UPLOADED);
    await page.getByTestId('upload-files').setInputFiles(source);
    await page.locator('li.upload[data-state="done"]').waitFor();
    await page.getByRole('link', { name: 'notes.txt' }).click();
    await page.locator('pre.preview-text').getByText('Written from the browser').waitFor();
    assert.match(await page.getByTestId('object-size').innerText(), new RegExp(`^${UPLOADED.length} B`));
    await page.getByRole('button', { name: 'Make link' }).click();
    const url = await page.locator('input.share-url').inputValue();
    assert.equal(new URL(url).origin, worker.origin);
    assert.match(url, /X-Amz-Security-Token=/, 'signed with the session\'s credentials');
    await screenshot('object-share');
    const shared = await fetch(url);
    assert.equal(shared.status, 200);
    assert.equal(await shared.text(), UPLOADED);
    const anonymous = await fetch(`${worker.origin}/data/notes.txt`);
    assert.equal(anonymous.status, 403, 'the bucket is not public: the link\'s signature is what lets it through');
    await anonymous.arrayBuffer();
    assert.deepEqual(errors, []);
  });
});
