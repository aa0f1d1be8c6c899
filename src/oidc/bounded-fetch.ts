/**
 * Fetching a small JSON document from an identity provider: a time limit, a
 * size cap, no redirects, and https unless the provider is marked local.
 * The fetch function is injected so tests and Workers supply their own.
 */

/** The subset of `fetch` this module uses. */
export type FetchLike = (
  url: string,
  init: { signal: AbortSignal; redirect: 'error'; headers: Record<string, string>; method?: 'GET' | 'POST'; body?: string },
) => Promise<Response>;

export interface BoundedFetchOptions {
  fetch: FetchLike;
  timeoutMs: number;
  maxBytes: number;
  allowHttp: boolean;
}

/** A fetch that failed; the message is for operators (audit and warning logs). */
export class FetchFailure extends Error {
  override name = 'FetchFailure';
}

export async function fetchJson(url: string, options: BoundedFetchOptions): Promise<unknown> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && !(options.allowHttp && parsed.protocol === 'http:')) {
    throw new FetchFailure(`refusing to fetch ${parsed.protocol} URL ${url}: https is required`);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const response = await options.fetch(url, { signal: controller.signal, redirect: 'error', headers: { accept: 'application/json' } });
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new FetchFailure(`GET ${url} answered ${response.status}`);
    }
    const text = await readCapped(response, options.maxBytes, url);
    try {
      return JSON.parse(text);
    } catch {
      throw new FetchFailure(`GET ${url} did not return JSON`);
    }
  } catch (error) {
    if (error instanceof FetchFailure) throw error;
    if (controller.signal.aborted) throw new FetchFailure(`GET ${url} timed out after ${options.timeoutMs} ms`);
    throw new FetchFailure(`GET ${url} failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

export async function readCapped(response: Response, maxBytes: number, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new FetchFailure(`GET ${url} returned ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    // A missing or lying content-length must not let a provider fill memory.
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new FetchFailure(`GET ${url} returned more than the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
