/**
 * The web console in a real browser: Debian's Chromium or Firefox ESR
 * (`SLUICE_CONSOLE_BROWSER`, see browsers.ts), headless, driven by
 * playwright-core, against a real `sluice serve` (fs backend, SQLite policy
 * store, STS and Sluice's own issuer) and a local OpenID Connect issuer that
 * signs people in with the authorization-code + PKCE flow. A person browses a
 * public bucket anonymously, signs in, browses, uploads 20 MiB with progress,
 * has an upload lose its network after part 1 (it retries, pauses, and on
 * Resume sends only the parts the server lacks; the stored object matches
 * byte for byte), shares a link that a plain HTTP client then downloads, and
 * sees a refused action explained. On the account page it sees its roles,
 * tests pasted tokens against one, creates an access key (its secret shown
 * once, then used by a plain HTTP client) and revokes it, sees refused
 * creations explained, and creates an API key bound to a role (its token
 * shown once, exchanged at `/.sts` by a plain HTTP client for credentials
 * that sign S3 requests) and revokes it (the exchange is then refused, and a
 * reload shows the token nowhere). Screenshots of the main pages and panels
 * go to test-artifacts/console/<browser>/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, type Request, type Route } from 'playwright-core';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { es256Pem, randomHmacSecret } from '../../src/sts/session-keyring.test-helper.ts';
import { repoRoot, serveCli } from '../cli/run-cli.ts';
import { OidcIssuer } from '../support/oidc-issuer.ts';
import { BROWSER, launchBrowser } from './browsers.ts';

const ARTIFACTS = join(repoRoot, 'test-artifacts', 'console', BROWSER.name);
const UPLOAD_BYTES = 20 * 1024 * 1024;
/** Sluice's own issuer: it signs the API keys, which its STS endpoint accepts as the built-in provider `sluice`. */
const ISSUER_URL = 'https://sluice.example.test';

let dir: string;
let issuer: OidcIssuer;
let server: { url: string; stop(): Promise<void> };
let browser: Browser;
let page: Page;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface SessionCredentials { accessKeyId: string; secretAccessKey: string; sessionToken: string }

/** AssumeRoleWithWebIdentity at `/.sts` with an API key, as any STS client sends it; the error code when refused. */
async function exchangeApiKey(token: string, role: string): Promise<{ status: number; body: string; code?: string; credentials?: SessionCredentials }> {
  const response = await fetch(`${server.url}/.sts`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: role, RoleSessionName: 'console-test', WebIdentityToken: token }),
  });
  const body = await response.text();
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1];
  const [accessKeyId, secretAccessKey, sessionToken] = [field('AccessKeyId'), field('SecretAccessKey'), field('SessionToken')];
  return {
    status: response.status,
    body,
    ...(field('Code') !== undefined && { code: field('Code') }),
    ...(accessKeyId && secretAccessKey && sessionToken && { credentials: { accessKeyId, secretAccessKey, sessionToken } }),
  };
}

/** A SigV4-signed request (empty body) with session credentials. */
async function signedFetch(method: string, url: string, credentials: SessionCredentials): Promise<Response> {
  const headers = await signRequest({ method, url, headers: {} }, credentials, { region: 'us-east-1', service: 's3' });
  delete headers.host;
  return fetch(url, { method, headers, ...(method === 'PUT' && { body: '' }) });
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

before(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'sluice-console-'));
  const data = join(dir, 'data');
  await mkdir(join(data, 'public', 'maps'), { recursive: true });
  await mkdir(join(data, 'data', 'reports'), { recursive: true });
  await mkdir(join(data, 'locked'), { recursive: true });
  await writeFile(join(data, 'public', 'README.txt'), 'Open data, free to read.\n');
  await writeFile(join(data, 'public', 'maps', 'regions.json'), JSON.stringify({ regions: ['north', 'south'] }));
  await writeFile(join(data, 'data', 'reports', 'q1.csv'), 'region,quarter,total\nnorth,Q1,120\nsouth,Q1,95\n');
  await writeFile(join(data, 'locked', 'contract.txt'), 'read only\n');
  issuer = await OidcIssuer.start();
  issuer.loginSubject = 'acme';
  const env = {
    SLUICE_SESSION_HMAC_SECRET: randomHmacSecret(),
    SLUICE_SESSION_SIGNING_KEY: (await es256Pem()).privateKey,
    SLUICE_MASTER_KEY: randomBytes(32).toString('base64'),
    SLUICE_ISSUER_KEY: (await es256Pem()).privateKey,
  };
  const configPath = join(dir, 'sluice.yaml');
  await writeFile(configPath, `
server:
  accessLog: false
issuer:
  url: ${ISSUER_URL}
  keys: [{ privateKey: "\${env:SLUICE_ISSUER_KEY}" }]
policy:
  sqlitePath: sluice.db
  masterKey: "\${env:SLUICE_MASTER_KEY}"
connections:
  disk: { type: fs, root: data }
buckets:
  public: { connection: disk, prefix: public/, public: true }
  data: { connection: disk, prefix: data/ }
  locked: { connection: disk, prefix: locked/ }
accounts:
  acme:
    grants:
      - { bucket: data, actions: [read, write] }
      - { bucket: locked, actions: [read] }
sts:
  identityProviders:
    - { id: corp, issuer: "${issuer.issuer}", audiences: [sluice-console], local: true }
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
    - account: acme
      name: reader
      description: reads the data bucket with an API key
      bindings: [{ provider: sluice, audience: sluice-sts }]
      permissions: [{ actions: [read], resources: ["acme::bucket/data/*"] }]
  sessions:
    hmacSecrets: [{ version: 1, secret: "\${env:SLUICE_SESSION_HMAC_SECRET}" }]
    signingKeys: [{ kid: session-1, privateKey: "\${env:SLUICE_SESSION_SIGNING_KEY}" }]
console:
  oidc: { issuer: "${issuer.issuer}", clientId: sluice-console }
`);
  server = await serveCli(configPath, env);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.on('dialog', (dialog) => void dialog.accept());
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await issuer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`the web console in ${BROWSER.title}`, () => {
  it('serves index.html uncached and hashed assets for a year, all under a strict CSP', async () => {
    const index = await fetch(`${server.url}/.console/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /connect-src 'self'(;|$)/);
    assert.match(csp, /script-src 'self'(;|$)/);
    const html = await index.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
    const script = /src="(assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script);
    const asset = await fetch(`${server.url}/.console/${script}`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
    await asset.arrayBuffer();
    const redirect = await fetch(`${server.url}/.console`, { redirect: 'manual' });
    assert.equal(redirect.status, 308);
    assert.equal((await fetch(`${server.url}/.console/assets/nothing.js`)).status, 404);
  });

  it('browses a public bucket anonymously, with a JSON preview', async () => {
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`${server.url}/.console/`);
    await page.getByText('Browsing anonymously').waitFor();
    await page.getByLabel('Bucket name').fill('public');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('link', { name: 'README.txt' }).waitFor();
    await page.getByRole('link', { name: 'maps/' }).click();
    await page.getByRole('link', { name: 'regions.json' }).click();
    await page.locator('pre.preview-text').getByText('"north"').waitFor();
    await screenshot('anonymous-object');
    assert.deepEqual(errors.filter((e) => /Content Security Policy/i.test(e)), [], 'nothing the CSP had to block');
  });

  it('signs in with the authorization code and PKCE, then lists the buckets of the account', async () => {
    await page.goto(`${server.url}/.console/#/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in').waitFor();
    assert.match(await page.getByTestId('signed-in').innerText(), /Signed in as acme/);
    assert.equal(new URL(page.url()).search, '', 'the code is removed from the address bar');
    assert.deepEqual(issuer.refusals, []);
    for (const bucket of ['data', 'locked', 'public']) await page.getByRole('link', { name: bucket, exact: true }).waitFor();
    await screenshot('buckets');
  });

  it('browses a prefix, previews a CSV and makes a share link that plain HTTP can download', async () => {
    await page.getByRole('link', { name: 'data', exact: true }).click();
    await page.getByRole('link', { name: 'reports/' }).click();
    await page.getByRole('link', { name: 'q1.csv' }).click();
    await page.locator('table.csv th', { hasText: 'region' }).waitFor();
    assert.match(await page.getByTestId('object-size').innerText(), /^46 B/);
    // A day asked for, the session's hour given: a link never outlives the credentials that sign it.
    await page.getByLabel('Link valid for').selectOption('86400');
    await page.getByRole('button', { name: 'Make link' }).click();
    const url = await page.locator('input.share-url').inputValue();
    const expires = Number(new URL(url).searchParams.get('X-Amz-Expires'));
    assert.ok(expires > 3000 && expires <= 3600, `expires in ${expires} s`);
    await page.getByText('Capped at the end of your session').waitFor();
    assert.match(url, /X-Amz-Security-Token=/);
    await page.locator('svg.qr').waitFor();
    await screenshot('object-share');
    const shared = await fetch(url);
    assert.equal(shared.status, 200);
    assert.equal(await shared.text(), 'region,quarter,total\nnorth,Q1,120\nsouth,Q1,95\n');
  });

  it('uploads 20 MiB as a multipart upload, showing progress', async () => {
    await page.goto(`${server.url}/.console/#/b/data/`);
    await page.getByRole('link', { name: 'reports/' }).waitFor();
    const seen = new Set<number>();
    const source = join(dir, 'big.bin');
    await writeFile(source, Buffer.alloc(UPLOAD_BYTES, 7));
    await page.getByTestId('upload-files').setInputFiles(source);
    // Bounded: sample the progress bar until the upload is done.
    for (let i = 0; i < 600; i++) {
      const state = await page.locator('li.upload').getAttribute('data-state');
      const value = Number(await page.locator('li.upload progress').getAttribute('value'));
      seen.add(value);
      if (state === 'done') break;
      assert.notEqual(state, 'failed', await page.locator('li.upload').innerText());
      await page.waitForTimeout(50);
    }
    assert.equal(await page.locator('li.upload').getAttribute('data-state'), 'done');
    assert.ok([...seen].some((value) => value > 0 && value < UPLOAD_BYTES), `progress between 0 and the end was shown: ${[...seen].join(', ')}`);
    await page.getByRole('link', { name: 'big.bin' }).waitFor();
    assert.equal((await stat(join(dir, 'data', 'data', 'big.bin'))).size, UPLOAD_BYTES);
    await screenshot('upload');
  });

  it('creates a folder', async () => {
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByLabel('Folder name').fill('incoming');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('link', { name: 'incoming/' }).waitFor();
  });

  it('resumes a multipart upload after the network drops, sending only the parts the server lacks', async () => {
    const context = page.context();
    await page.goto(`${server.url}/.console/#/b/data/incoming/`);
    await page.getByRole('heading', { name: 'incoming' }).waitFor();
    const source = join(dir, 'resumed.bin');
    const bytes = randomBytes(UPLOAD_BYTES);
    await writeFile(source, bytes);
    const isPart = (url: URL) => url.pathname === '/data/incoming/resumed.bin' && url.searchParams.has('partNumber');
    // Every PUT of a part the page sends, by part number, and when: before or after Resume.
    const sent: Array<{ part: number; afterResume: boolean }> = [];
    let resumed = false;
    const onRequest = (request: Request) => {
      const url = new URL(request.url());
      if (request.method() === 'PUT' && isPart(url)) sent.push({ part: Number(url.searchParams.get('partNumber')), afterResume: resumed });
    };
    page.on('request', onRequest);
    const pageErrors: string[] = [];
    const onPageError = (error: Error) => pageErrors.push(error.message);
    page.on('pageerror', onPageError);
    // Part 2 starts only once part 1 is done: that is when the network goes, and the request then fails offline.
    let dropped = false;
    const partTwo = (url: URL) => isPart(url) && url.searchParams.get('partNumber') === '2';
    const dropNetwork = async (route: Route) => {
      if (!dropped) {
        dropped = true;
        await context.setOffline(true);
      }
      await route.continue();
    };
    await page.route(partTwo, dropNetwork);
    const row = page.locator('li.upload', { hasText: 'resumed.bin' });
    try {
      await page.getByTestId('upload-files').setInputFiles(source);
      await page.locator('li.upload[data-state="paused"]', { hasText: 'resumed.bin' }).waitFor({ timeout: 30_000 });
      assert.ok(dropped, 'the network dropped while part 2 was sent');
      await row.getByText('the connection dropped; the parts sent so far are kept').waitFor();
      assert.doesNotMatch(await row.innerText(), /retrying/, 'a paused upload no longer says it is retrying');
      await screenshot('upload-paused');
      // Resume pressed while the network is still down: the page tries (ListParts, retried), then pauses again, with no stray error.
      await row.getByRole('button', { name: 'Resume' }).click();
      await page.locator('li.upload[data-state="running"]', { hasText: 'resumed.bin' }).waitFor({ timeout: 10_000 });
      await page.locator('li.upload[data-state="paused"]', { hasText: 'resumed.bin' }).waitFor({ timeout: 30_000 });
      assert.deepEqual(pageErrors, [], 'no unhandled error in the page');
    } finally {
      await page.unroute(partTwo, dropNetwork);
      await context.setOffline(false);
    }
    // Part 1 once; part 2 tried, then retried three times with a growing pause, before the upload paused.
    assert.deepEqual(sent.map((s) => s.part), [1, 2, 2, 2, 2]);
    resumed = true;
    await row.getByRole('button', { name: 'Resume' }).click();
    await page.locator('li.upload[data-state="done"]', { hasText: 'resumed.bin' }).waitFor({ timeout: 60_000 });
    page.off('request', onRequest);
    page.off('pageerror', onPageError);
    assert.deepEqual(pageErrors, [], 'no unhandled error in the page');
    const again = sent.filter((s) => s.afterResume).map((s) => s.part).sort((a, b) => a - b);
    assert.deepEqual(again, [2, 3], 'after Resume only the parts the server lacked were sent');
    const stored = await readFile(join(dir, 'data', 'data', 'incoming', 'resumed.bin'));
    assert.equal(sha256(stored), sha256(bytes), 'the stored object is the file, byte for byte');
    await page.getByRole('link', { name: 'resumed.bin' }).waitFor();
    await screenshot('upload-resumed');
  });

  it('explains a refused delete with the S3 error code and message', async () => {
    await page.goto(`${server.url}/.console/#/b/locked/`);
    await page.getByRole('button', { name: 'Delete contract.txt' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Deleting was refused: AccessDenied/);
    assert.ok(existsSync(join(dir, 'data', 'locked', 'contract.txt')));
    await screenshot('denied');
  });

  it('shows the account page: the account, its roles with their claim constraints, no registered providers', async () => {
    await page.getByRole('link', { name: 'Account' }).click();
    await page.locator('#session-title').waitFor();
    assert.match(await page.locator('dl.details').first().innerText(), /_default/);
    await page.getByTestId('admin-account').getByText('acme').waitFor();
    const analyst = page.locator('tr[data-role="analyst"]');
    await analyst.getByText('sub equals acme').waitFor();
    assert.match(await analyst.innerText(), /acme::role\/analyst/);
    assert.match(await analyst.innerText(), /corp, audience sluice-console/);
    await page.getByTestId('admin-idps').getByText('None.').waitFor();
    await screenshot('account');
  });

  it('tests a pasted token against a role: the failing constraint explained, then a token that would be accepted', async () => {
    const analyst = page.locator('tr[data-role="analyst"]');
    await analyst.getByText('Test a token').click();
    const field = analyst.getByLabel('Identity token (JWT) to test against acme::role/analyst');
    await field.fill(await issuer.sign({ sub: 'bob', aud: 'sluice-console' }));
    await analyst.getByRole('button', { name: 'Test', exact: true }).click();
    const refused = analyst.locator('[data-testid="token-test"][data-allowed="false"]');
    await refused.waitFor();
    const explained = await refused.innerText();
    assert.match(explained, /would be refused/);
    assert.match(explained, /Binding 0, claim constraint sub equals acme: claim "sub" must equal "acme": the token's value does not match/);
    await screenshot('token-test');
    await field.fill(await issuer.sign({ sub: 'acme', aud: 'sluice-console' }));
    await analyst.getByRole('button', { name: 'Test', exact: true }).click();
    await analyst.locator('[data-testid="token-test"][data-allowed="true"]').getByText('The token would be accepted: binding 0 matches.').waitFor();
  });

  it('creates an access key whose secret is shown once and works, then revokes it', async () => {
    const section = page.getByTestId('admin-accessKeys');
    await section.getByLabel('Label').fill('laptop');
    await section.getByRole('button', { name: 'Create' }).click();
    const once = section.getByTestId('shown-once');
    await once.waitFor();
    const accessKeyId = await once.getByRole('textbox', { name: 'Access key id' }).inputValue();
    const secretAccessKey = await once.getByRole('textbox', { name: 'Secret access key' }).inputValue();
    assert.ok(secretAccessKey.length >= 30, 'a secret is shown');
    await section.locator(`tr[data-key="${accessKeyId}"][data-status="active"]`).waitFor();
    assert.doesNotMatch(await section.locator('table').innerText(), new RegExp(secretAccessKey.replace(/[^\w]/g, '.')), 'the list never shows the secret');
    await screenshot('access-key-created');

    const listData = async () => {
      const url = `${server.url}/data?list-type=2`;
      const headers = await signRequest({ method: 'GET', url, headers: {} }, { accessKeyId, secretAccessKey }, { region: 'us-east-1', service: 's3' });
      delete headers.host;
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      return response.status;
    };
    assert.equal(await listData(), 200, 'the new key signs S3 requests');

    await once.getByRole('button', { name: 'Done' }).click();
    assert.equal(await section.getByTestId('shown-once').count(), 0, 'the secret is gone once dismissed');
    await section.getByRole('button', { name: `Revoke ${accessKeyId}` }).click();
    await section.locator(`tr[data-key="${accessKeyId}"][data-status="revoked"]`).waitFor();
    await section.getByRole('status').getByText(`Revoked ${accessKeyId}.`).waitFor();
    assert.equal(await listData(), 403, 'the revoked key is refused at once');
  });

  it('explains a refused key creation with the management API\'s code and problems', async () => {
    const section = page.getByTestId('admin-accessKeys');
    await section.getByLabel('Only under prefixes').fill('/reports');
    await section.getByRole('button', { name: 'Create' }).click();
    const alert = section.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Creating the access key was refused: ValidationFailed — .*prefixes\.0: must be relative to the bucket/);
    const apiKeys = page.getByTestId('admin-apiKeys');
    await apiKeys.getByText('None.').waitFor();
    await apiKeys.getByLabel('Bound to role').fill('other::role/reader');
    await apiKeys.getByRole('button', { name: 'Create' }).click();
    assert.match(await apiKeys.getByRole('alert').innerText(), /Creating the API key was refused: ValidationFailed — .*role: must be a role of the account acme/);
    await apiKeys.getByText('None.').waitFor();
    await apiKeys.getByLabel('Bound to role').fill('');
    await screenshot('account-refused');
  });

  it('creates an API key whose token is shown once and exchanges at /.sts, then revokes it: the exchange is refused', async () => {
    const section = page.getByTestId('admin-apiKeys');
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await section.getByLabel('Label').fill('nightly');
    await section.getByLabel('Bound to role').fill('reader');
    await section.getByLabel('Expires').fill(expires);
    await section.getByRole('button', { name: 'Create' }).click();
    const once = section.getByTestId('shown-once');
    await once.waitFor();
    const jti = await once.getByRole('textbox', { name: 'Id', exact: true }).inputValue();
    const token = await once.getByRole('textbox', { name: 'API key', exact: true }).inputValue();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'the token is a JWT');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(
      { iss: claims.iss, sub: claims.sub, aud: claims.aud, type: claims.type, jti: claims.jti, role: claims.role, exp: claims.exp },
      { iss: ISSUER_URL, sub: 'acme', aud: 'sluice-sts', type: 'api_key', jti, role: 'acme::role/reader', exp: Date.parse(`${expires}T00:00:00Z`) / 1000 },
    );
    const row = section.locator(`tr[data-key="${jti}"][data-status="active"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /nightly[\s\S]*acme::role\/reader/);
    assert.ok(!(await section.locator('table').innerText()).includes(token), 'the list never shows the token');
    await section.screenshot({ path: join(ARTIFACTS, 'api-key-created.png') });

    // Outside the browser, the token is what a job would hold: exchanged for session credentials that sign S3 requests.
    const exchanged = await exchangeApiKey(token, 'acme::role/reader');
    assert.equal(exchanged.status, 200, exchanged.body);
    const read = await signedFetch('GET', `${server.url}/data/reports/q1.csv`, exchanged.credentials!);
    assert.equal(read.status, 200);
    assert.equal(await read.text(), 'region,quarter,total\nnorth,Q1,120\nsouth,Q1,95\n');
    const write = await signedFetch('PUT', `${server.url}/data/reports/q2.csv`, exchanged.credentials!);
    assert.equal(write.status, 403, 'the bound role reads only');
    assert.match(await write.text(), /<Code>AccessDenied<\/Code>/);
    assert.ok(!existsSync(join(dir, 'data', 'data', 'reports', 'q2.csv')));

    await once.getByRole('button', { name: 'Done' }).click();
    assert.equal(await section.getByTestId('shown-once').count(), 0, 'the token is gone once dismissed');
    await section.getByRole('button', { name: `Revoke ${jti}` }).click();
    await section.locator(`tr[data-key="${jti}"][data-status="revoked"]`).waitFor();
    await section.getByRole('status').getByText(`Revoked ${jti}.`).waitFor();
    await section.screenshot({ path: join(ARTIFACTS, 'api-keys.png') });
    const refused = await exchangeApiKey(token, 'acme::role/reader');
    assert.equal(refused.status, 400, refused.body);
    assert.equal(refused.code, 'InvalidIdentityToken');
    assert.match(refused.body, /The API key has been revoked\./);

    // A reload forgets the session; signed in again, the page lists the revoked key and shows no token.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in').waitFor();
    await page.goto(`${server.url}/.console/#/account`);
    await page.getByTestId('admin-apiKeys').locator(`tr[data-key="${jti}"][data-status="revoked"]`).waitFor();
    assert.equal(await page.getByTestId('shown-once').count(), 0, 'no secret is shown after a reload');
    const everywhere = await page.evaluate(() => [
      document.documentElement.outerHTML,
      ...Array.from(document.querySelectorAll('input, textarea'), (field) => (field as HTMLInputElement).value),
      JSON.stringify({ ...localStorage }),
      JSON.stringify({ ...sessionStorage }),
    ].join('\n'));
    assert.ok(!everywhere.includes(token.split('.')[2]!), 'the token is nowhere in the page, its fields or its storage');
  });

  it('is usable 320 px wide and by keyboard', async () => {
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(`${server.url}/.console/#/o/data/reports/q1.csv`);
    await page.locator('table.csv').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling of the page (overflow ${overflow}px)`);
    await screenshot('narrow');
    const fresh = await browser.newPage({ viewport: { width: 320, height: 640 } });
    try {
      await fresh.goto(`${server.url}/.console/#/b/public/`);
      await fresh.getByRole('link', { name: 'README.txt' }).waitFor();
      await fresh.keyboard.press('Tab');
      assert.equal(await fresh.evaluate(() => document.activeElement?.textContent), 'Skip to content');
      await fresh.keyboard.press('Enter');
      // From the main content, Tab reaches the listing's links and Enter opens one.
      for (let i = 0; i < 20 && (await fresh.evaluate(() => document.activeElement?.textContent?.trim())) !== 'README.txt'; i++) await fresh.keyboard.press('Tab');
      await fresh.keyboard.press('Enter');
      await fresh.locator('pre.preview-text').getByText('Open data').waitFor();
    } finally {
      await fresh.close();
    }
  });
});
