/**
 * A cache shared by the processes of a fleet (Redis on Node), as the policy
 * tier and, later, JWKS documents, federation credentials and the session
 * deny-list use it. Entries are strings the caller has already sealed.
 * Every method may fail (the service is down); callers fall back to their
 * own per-process cache and never fail a request because of it.
 */
export interface SharedCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** A field of a hash: entries dropped together with `delete(hash)`. */
  getField(hash: string, field: string): Promise<string | null>;
  /** Sets a field; the hash itself expires `ttlMs` after its latest write. */
  setField(hash: string, field: string, value: string, ttlMs: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  close(): Promise<void>;
}
