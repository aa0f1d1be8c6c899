/**
 * What the console's browser tests rely on, checked in the browser this run
 * drives (`SLUICE_CONSOLE_BROWSER`): it runs JavaScript modules, and whatever
 * a Content-Security-Policy blocks reaches a page's console listener as an
 * error naming the policy — the console test's "nothing the CSP had to block"
 * would otherwise pass unheard in a browser that does not report it — and
 * nothing else does: not what the automation itself does to the page.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { BROWSER, launchBrowser } from './browsers.ts';

const PAGES: Record<string, { type: string; body: string }> = {
  '/module': { type: 'text/html', body: '<!doctype html><title>module</title><script type="module" src="/module.js"></script>' },
  '/module.js': { type: 'text/javascript', body: 'import { word } from "/word.js"; document.title = word;' },
  '/word.js': { type: 'text/javascript', body: 'export const word = "module ran";' },
  '/blocked': {
    type: 'text/html',
    body: '<!doctype html><title>blocked</title><script>document.title = "inline ran"</script><style>p { color: red }</style><img src="http://127.0.0.1:9/elsewhere.png" alt=""><script src="/evals.js"></script>',
  },
  '/evals.js': { type: 'text/javascript', body: 'try { eval("1"); } catch {}' },
  '/allowed': { type: 'text/html', body: '<!doctype html><title>allowed</title><link rel="stylesheet" href="/page.css"><p>Nothing to block.</p>' },
  '/page.css': { type: 'text/css', body: 'p { color: green }' },
};

let server: Server;
let origin: string;
let browser: Browser;

before(async () => {
  server = createServer((request, response) => {
    const page = PAGES[request.url ?? ''];
    if (!page) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': page.type, 'content-security-policy': "default-src 'self'; script-src 'self'" });
    response.end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe(`the console tests' browser: ${BROWSER.title}`, () => {
  it('runs JavaScript modules', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/module`);
      await page.waitForFunction(() => document.title === 'module ran');
    } finally {
      await page.close();
    }
  });

  it('reports what the Content-Security-Policy blocked as console errors', async () => {
    const page = await browser.newPage();
    try {
      const errors: string[] = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      await page.goto(`${origin}/blocked`);
      const blocked = [
        /Content Security Policy: .*script-src-elem.* blocked inline/,
        /Content Security Policy: .*style-src-elem.* blocked inline/,
        /Content Security Policy: .*img-src.* blocked http:\/\/127\.0\.0\.1:9\/elsewhere\.png/,
        /Content Security Policy: .*script-src.* blocked eval/,
      ];
      const unreported = () => blocked.filter((report) => !errors.some((e) => report.test(e)));
      // Bounded: the reports arrive shortly after the load.
      for (let i = 0; i < 100 && unreported().length > 0; i++) await page.waitForTimeout(50);
      assert.equal(await page.title(), 'blocked', 'the inline script did not run');
      assert.deepEqual(unreported(), [], `the inline script and style, the other origin's image and the eval are reported: ${errors.join(' | ')}`);
    } finally {
      await page.close();
    }
  });

  it('reports nothing, neither console errors nor page errors, for a page that breaks no rule, screenshots included', async () => {
    const page = await browser.newPage();
    try {
      const errors: string[] = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      await page.goto(`${origin}/allowed`);
      await page.getByText('Nothing to block.').waitFor();
      await page.screenshot();
      await page.screenshot({ fullPage: true });
      await page.waitForTimeout(500);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
});
