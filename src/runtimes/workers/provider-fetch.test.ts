/** `providerFetch`: redirects refused as `redirect: 'error'` asks, without handing workerd that mode (which it throws on). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FetchFailure, fetchJson } from '../../oidc/bounded-fetch.ts';
import { providerFetch } from './provider-fetch.ts';

const modes: (RequestRedirect | undefined)[] = [];
const platform = (answers: Record<string, () => Response>) => async (url: string, init: RequestInit) => {
  // workerd's own check, which the adapter must never trip.
  if (init.redirect === 'error') throw new TypeError('Invalid redirect value, must be one of "follow" or "manual"');
  modes.push(init.redirect);
  return answers[url]!();
};

test('an answer passes through with its body; the platform is asked with redirect: manual', async () => {
  modes.length = 0;
  const fetch = providerFetch(platform({ 'https://idp.test/doc': () => Response.json({ issuer: 'https://idp.test' }) }));
  const controller = new AbortController();
  const response = await fetch('https://idp.test/doc', { signal: controller.signal, redirect: 'error', headers: { accept: 'application/json' }, method: 'POST', body: 'a=b' });
  assert.deepEqual(await response.json(), { issuer: 'https://idp.test' });
  assert.deepEqual(modes, ['manual']);
  // Not-modified and errors are answers, not redirects.
  const others = providerFetch(platform({ 'https://idp.test/304': () => new Response(null, { status: 304 }), 'https://idp.test/503': () => new Response('down', { status: 503 }) }));
  assert.equal((await others('https://idp.test/304', { signal: controller.signal, redirect: 'error', headers: {} })).status, 304);
  assert.equal((await others('https://idp.test/503', { signal: controller.signal, redirect: 'error', headers: {} })).status, 503);
});

test('a redirect is refused, never followed, and reported by the bounded fetch as a failure', async () => {
  for (const status of [301, 302, 303, 307, 308]) {
    let cancelled = false;
    const body = new ReadableStream({ cancel: () => void (cancelled = true) });
    const fetch = providerFetch(platform({
      'https://idp.test/.well-known/openid-configuration': () => new Response(body, { status, headers: { location: 'https://elsewhere.test/doc' } }),
    }));
    await assert.rejects(
      fetchJson('https://idp.test/.well-known/openid-configuration', { fetch, timeoutMs: 1000, maxBytes: 1024, allowHttp: false }),
      (error: unknown) => error instanceof FetchFailure && new RegExp(`failed: redirected \\(${status}\\), and redirects are refused`).test(error.message),
    );
    assert.ok(cancelled, `the ${status} answer's body is released`);
  }
});
