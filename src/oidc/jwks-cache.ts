/**
 * Each identity provider's signing keys, found through its discovery document
 * and cached per issuer:
 *
 * - a copy younger than `ttlMs` (1 h) is used as is;
 * - a token naming a `kid` the copy lacks triggers an immediate refetch (the
 *   provider rotated its keys), at most once per `minRefreshIntervalMs` (30 s)
 *   per issuer, so forged `kid`s cannot turn us into a request amplifier;
 * - when a refresh fails, the old copy serves for up to `staleMs` (24 h) with
 *   a warning; with no usable copy, verification fails with `jwks_unreachable`;
 *   either way the provider is asked again only after the same 30 s.
 */
import { type JSONWebKeySet, createLocalJWKSet } from 'jose';
import type { LogSink } from '../core/runtime.ts';
import { type FetchLike, FetchFailure, fetchJson } from './bounded-fetch.ts';
import { OidcError } from './errors.ts';
import { type IdentityProvider, discoveryUrl } from './provider-config.ts';

export type KeySet = ReturnType<typeof createLocalJWKSet>;

export interface JwksCacheOptions {
  fetch: FetchLike;
  now: () => Date;
  log: LogSink;
  ttlMs?: number;
  staleMs?: number;
  minRefreshIntervalMs?: number;
  /** Told of each lookup: served from the cached key set (`hit`) or fetched (`miss`). */
  onLookup?: (outcome: 'hit' | 'miss') => void;
  timeoutMs?: number;
  maxBytes?: number;
}

interface Entry {
  keys: KeySet;
  kids: ReadonlySet<string>;
  fetchedAt: number;
}

interface IssuerState {
  entry?: Entry;
  lastAttemptAt?: number;
  /** Why the last fetch failed, while no fetch has succeeded since. */
  lastFailure?: string;
  inFlight?: Promise<Entry>;
}

/** Key types of asymmetric algorithms; shared-secret (`oct`) keys are never accepted from a provider. */
const ASYMMETRIC_KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);

export class JwksCache {
  private readonly states = new Map<string, IssuerState>();
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly minRefreshIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: JwksCacheOptions) {
    this.ttlMs = options.ttlMs ?? 60 * 60 * 1000;
    this.staleMs = options.staleMs ?? 24 * 60 * 60 * 1000;
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 30 * 1000;
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.maxBytes = options.maxBytes ?? 256 * 1024;
  }

  /** The provider's keys: the cached copy while fresh, else a refetch (or the stale copy if that fails). */
  async keys(provider: IdentityProvider): Promise<KeySet> {
    const state = this.state(provider.issuer);
    const now = this.options.now().getTime();
    if (state.entry && now - state.entry.fetchedAt < this.ttlMs) {
      this.options.onLookup?.('hit');
      return state.entry.keys;
    }
    this.options.onLookup?.('miss');
    if (!this.mayAttempt(state, now) && state.lastFailure !== undefined) {
      // A provider that is down is asked again only every `minRefreshIntervalMs`, however many tokens arrive.
      if (state.entry) return this.stale(provider, state, now, state.lastFailure);
      throw unreachable(provider, state.lastFailure);
    }
    return this.refresh(provider, state, now);
  }

  /** Keys after a token named an unknown `kid`: refetched at once unless a fetch happened very recently. */
  async keysAfterUnknownKid(provider: IdentityProvider, kid: string | undefined): Promise<KeySet> {
    const state = this.state(provider.issuer);
    const now = this.options.now().getTime();
    if (state.entry && kid !== undefined && state.entry.kids.has(kid)) return state.entry.keys;
    if (state.entry && !this.mayAttempt(state, now)) return state.entry.keys;
    return this.refresh(provider, state, now);
  }

  private state(issuer: string): IssuerState {
    let state = this.states.get(issuer);
    if (!state) this.states.set(issuer, (state = {}));
    return state;
  }

  private mayAttempt(state: IssuerState, now: number): boolean {
    return state.lastAttemptAt === undefined || now - state.lastAttemptAt >= this.minRefreshIntervalMs;
  }

  private async refresh(provider: IdentityProvider, state: IssuerState, now: number): Promise<KeySet> {
    // Concurrent requests share one fetch.
    state.inFlight ??= this.fetchEntry(provider, now).finally(() => (state.inFlight = undefined));
    state.lastAttemptAt = now;
    try {
      state.entry = await state.inFlight;
      state.lastFailure = undefined;
      return state.entry.keys;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      state.lastFailure = reason;
      if (state.entry) return this.stale(provider, state, now, reason);
      throw unreachable(provider, reason);
    }
  }

  private stale(provider: IdentityProvider, state: IssuerState, now: number, reason: string): KeySet {
    const entry = state.entry!;
    const age = now - entry.fetchedAt;
    if (age >= this.staleMs) throw unreachable(provider, `${reason} (the cached copy is ${Math.round(age / 1000)} s old)`);
    this.options.log.write({ level: 'warn', msg: 'jwks_stale', time: new Date(now).toISOString(), issuer: provider.issuer, ageSeconds: Math.round(age / 1000), reason });
    return entry.keys;
  }

  private async fetchEntry(provider: IdentityProvider, now: number): Promise<Entry> {
    const fetchOptions = { fetch: this.options.fetch, timeoutMs: this.timeoutMs, maxBytes: this.maxBytes, allowHttp: provider.local };
    const discovery = await fetchJson(discoveryUrl(provider.issuer), fetchOptions);
    if (!isRecord(discovery) || typeof discovery.jwks_uri !== 'string') {
      throw new FetchFailure(`the discovery document of ${provider.issuer} has no jwks_uri`);
    }
    // OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was fetched for.
    if (discovery.issuer !== provider.issuer) {
      throw new FetchFailure(`the discovery document of ${provider.issuer} names a different issuer`);
    }
    const jwks = await fetchJson(discovery.jwks_uri, fetchOptions);
    if (!isRecord(jwks) || !Array.isArray(jwks.keys)) throw new FetchFailure(`${discovery.jwks_uri} is not a JWK set`);
    const keys = jwks.keys.filter((key): key is JSONWebKeySet['keys'][number] => isRecord(key) && ASYMMETRIC_KEY_TYPES.has(String(key.kty)));
    const kids = new Set(keys.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : [])));
    return { keys: createLocalJWKSet({ keys }), kids, fetchedAt: now };
  }
}

function unreachable(provider: IdentityProvider, reason: string): OidcError {
  return new OidcError('jwks_unreachable', 'could not fetch the identity provider\'s signing keys', `JWKS for ${provider.issuer} unavailable: ${reason}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
