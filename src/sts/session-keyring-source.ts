/**
 * Where STS and the session credential source get the session keyring: a
 * fixed one (the configuration's keys) or one read from the policy store,
 * cached for the policy cache TTL so a rotation reaches a running server
 * without a restart. A credential naming a version or `kid` the cached
 * keyring lacks (another server picked up a rotation first) asks for a
 * reload, at most once per `minReloadIntervalMs`, before it is refused.
 */
import { SessionKeyring } from './session-keyring.ts';
import { type SessionKeyStore, storedKeyringConfig } from './stored-session-keys.ts';

export interface SessionKeyringSource {
  /** The keyring to use now. */
  current(): Promise<SessionKeyring>;
  /** A fresher keyring after a miss, or undefined when none can be had (fixed keys, or reloaded too recently). */
  reload(): Promise<SessionKeyring | undefined>;
}

export function fixedKeyringSource(keyring: SessionKeyring): SessionKeyringSource {
  return { current: async () => keyring, reload: async () => undefined };
}

export function asKeyringSource(keyring: SessionKeyring | SessionKeyringSource): SessionKeyringSource {
  return keyring instanceof SessionKeyring ? fixedKeyringSource(keyring) : keyring;
}

/** No session keys in the store: STS cannot issue or accept sessions until `sluice sessions rotate-secret` makes one. */
export class NoSessionKeysError extends Error {
  override name = 'NoSessionKeysError';
  constructor() {
    super('the policy store holds no session keys yet; run `sluice sessions rotate-secret --config FILE`');
  }
}

export interface StoredKeyringOptions {
  store: Pick<SessionKeyStore, 'sessionKeys'>;
  audience: string;
  issuer: string;
  ttlMs: number;
  now: () => number;
  /** Default 5 s. */
  minReloadIntervalMs?: number;
}

export class StoredKeyringSource implements SessionKeyringSource {
  private loaded: { keyring: Promise<SessionKeyring>; at: number } | undefined;
  private lastReload = -Infinity;
  private good: SessionKeyring | undefined;

  constructor(private readonly options: StoredKeyringOptions) {}

  current(): Promise<SessionKeyring> {
    const now = this.options.now();
    if (!this.loaded || now - this.loaded.at >= this.options.ttlMs) this.load(now);
    return this.loaded!.keyring;
  }

  /** Read the keys again on next use (the store announced a change). */
  invalidate(): void {
    this.loaded = undefined;
  }

  async reload(): Promise<SessionKeyring | undefined> {
    const now = this.options.now();
    if (now - this.lastReload < (this.options.minReloadIntervalMs ?? 5_000)) return undefined;
    this.lastReload = now;
    this.load(now);
    return this.loaded!.keyring;
  }

  private load(now: number): void {
    const keyring = this.read();
    this.loaded = { keyring, at: now };
    // A failed first read is not kept: the next request tries again.
    keyring.catch(() => {
      if (this.loaded?.keyring === keyring) this.loaded = undefined;
    });
  }

  private async read(): Promise<SessionKeyring> {
    let keys;
    try {
      keys = await this.options.store.sessionKeys();
    } catch (error) {
      // The store is unreachable: the keys last read still verify what they verified (a rotation waits for it).
      if (this.good) return this.good;
      throw error;
    }
    const config = storedKeyringConfig(keys, { audience: this.options.audience, issuer: this.options.issuer });
    if (!config) throw new NoSessionKeysError();
    return (this.good = await SessionKeyring.create(config));
  }
}
