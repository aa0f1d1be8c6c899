/**
 * The part of Cloudflare's D1 binding the D1 policy store uses
 * (`prepare` / `bind` / `first` / `all` / `run` / `batch`), declared here so
 * the store compiles and runs anywhere a D1 binding (or Miniflare's proxy
 * of one) is handed to it.
 */
export interface D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
  run(): Promise<{ meta: { changes?: number } }>;
}

export interface D1Database {
  prepare(query: string): D1PreparedStatement;
  /** Runs the statements in one transaction. */
  batch(statements: D1PreparedStatement[]): Promise<unknown[]>;
}

/** Whether a Worker binding is a D1 database (rather than a var, a secret or another kind of binding). */
export function isD1Database(value: unknown): value is D1Database {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<'prepare' | 'batch', unknown>>;
  return typeof candidate.prepare === 'function' && typeof candidate.batch === 'function';
}
