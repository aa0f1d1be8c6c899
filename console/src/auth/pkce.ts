/**
 * OAuth 2.0 authorization code with PKCE (RFC 7636, S256) for a public
 * client: the verifier and state are random, live only for the round trip to
 * the provider (in this tab's sessionStorage, as a page navigation loses
 * memory) and are removed as soon as the provider answers.
 */

const PENDING_KEY = 'sluice-console.sign-in';

interface PendingSignIn {
  state: string;
  verifier: string;
  /** Where the user was, to come back to. */
  returnTo: string;
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function codeChallenge(verifier: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

export function redirectUri(): string {
  return `${location.origin}/.console/`;
}

export interface SignInSettings {
  authorizationEndpoint: string;
  clientId: string;
  scopes: string[];
}

/** Leave for the provider's sign-in page. */
export async function beginSignIn(settings: SignInSettings): Promise<void> {
  const pending: PendingSignIn = { state: randomString(24), verifier: randomString(48), returnTo: location.hash };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(settings.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('scope', settings.scopes.join(' '));
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', await codeChallenge(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  location.assign(url.toString());
}

export type Callback =
  | { kind: 'none' }
  | { kind: 'error'; message: string }
  | { kind: 'code'; code: string; verifier: string; returnTo: string };

/** The provider's answer in this page's URL, if any; the URL is cleaned either way. */
export function takeCallback(stateMismatch: string): Callback {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return { kind: 'none' };
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as PendingSignIn) : undefined;
  if (!pending || params.get('state') !== pending.state) return { kind: 'error', message: stateMismatch };
  const error = params.get('error');
  if (error) return { kind: 'error', message: [error, params.get('error_description')].filter(Boolean).join(': ') };
  return { kind: 'code', code: params.get('code') ?? '', verifier: pending.verifier, returnTo: pending.returnTo };
}
