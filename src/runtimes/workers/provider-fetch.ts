/**
 * The fetch the app uses for identity providers (discovery documents, JWKS,
 * the console's code exchange) on Workers. Those calls refuse redirects
 * (`redirect: 'error'`), a mode workerd does not implement: it throws on it.
 * So the request goes out with `redirect: 'manual'` and a redirect answer is
 * refused here, as fetch itself refuses one in `error` mode — the provider's
 * answer is never followed elsewhere.
 */
import type { FetchLike } from '../../oidc/bounded-fetch.ts';

type PlatformFetch = (url: string, init: RequestInit) => Promise<Response>;

/** An answer that would be followed in `follow` mode (Fetch standard: a redirect status with a location). */
function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || ([301, 302, 303, 307, 308].includes(response.status) && response.headers.has('location'));
}

export function providerFetch(platformFetch: PlatformFetch = (url, init) => fetch(url, init)): FetchLike {
  return async (url, init) => {
    const response = await platformFetch(url, { ...init, redirect: 'manual' });
    if (!isRedirect(response)) return response;
    await response.body?.cancel().catch(() => {});
    throw new TypeError(`redirected (${response.status}), and redirects are refused`);
  };
}
