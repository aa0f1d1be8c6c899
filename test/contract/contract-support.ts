/**
 * Shared pieces of the backend contract suite: the registration context each
 * area of the suite receives, and small body and listing helpers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { Backend, ListParams, ListResult, ObjectMetadata } from '../../src/core/backend.ts';
import { bytesBody, readAll, type Body } from '../../src/core/body.ts';

export interface BackendHandle {
  backend: Backend;
  cleanup(): Promise<void>;
}

export interface BackendContractOptions {
  /** Test name → reason, for a backend that lacks a feature. The reason is printed. */
  skip?: Record<string, string>;
  /** A read-only backend over the same data as `writable`; without it the read-only test fails unless skipped. */
  readOnly?: (writable: Backend) => Backend | Promise<Backend>;
}

export type ContractBody = (backend: Backend, t: TestContext) => Promise<void>;

export interface ContractContext {
  /** Register one contract test; it runs against a fresh backend that is cleaned up afterwards. */
  test(name: string, body: ContractBody): void;
  options: BackendContractOptions;
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

export function bytes(content: string): Uint8Array {
  return utf8.encode(content);
}

export async function put(backend: Backend, key: string, content: string | Uint8Array, metadata: Partial<ObjectMetadata> = {}) {
  return backend.put(key, bytesBody(typeof content === 'string' ? bytes(content) : content.slice()), { metadata: {}, ...metadata });
}

export async function readText(body: Body): Promise<string> {
  return text.decode(await readAll(body));
}

export async function getText(backend: Backend, key: string): Promise<string> {
  return readText((await backend.get(key)).body);
}

export function quotedMd5(content: Uint8Array | string): string {
  return `"${createHash('md5').update(typeof content === 'string' ? bytes(content) : content).digest('hex')}"`;
}

/** A body that yields the given chunks, one per pull. */
export function chunkedBody(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index < chunks.length) controller.enqueue(chunks[index++]!.slice());
      else controller.close();
    },
  });
}

/** A body that yields some bytes and then fails, like a client connection dropping mid-upload. */
export function failingBody(first: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(first.slice());
      } else {
        controller.error(new Error('upload stream failed midway'));
      }
    },
  });
}

/**
 * A body that yields every chunk and then fails instead of ending, like a
 * connection dropping before the body's end is confirmed or a final chunk
 * signature that does not match.
 */
export function failingAtEndBody(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index < chunks.length) controller.enqueue(chunks[index++]!.slice());
      else controller.error(new Error('upload stream failed after its last byte'));
    },
  });
}

/**
 * A body that yields some bytes and then stalls forever (until cancelled).
 * `onStalled` is called once the reader has taken those bytes and waits for more.
 */
export function stallingBody(first: Uint8Array, onStalled: () => void = () => {}): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) {
        onStalled();
        return new Promise<void>(() => {});
      }
      sent = true;
      controller.enqueue(first.slice());
      return undefined;
    },
  });
}

export function listParams(params: Partial<ListParams>): ListParams {
  return { prefix: '', maxKeys: 1000, ...params };
}

/** Page through a whole listing with the backend's continuation tokens; asserts each page's shape. */
export async function listAll(backend: Backend, params: Partial<ListParams>) {
  const keys: string[] = [];
  const prefixes: string[] = [];
  const pages: ListResult[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await backend.list(listParams({ ...params, continuationToken: token }));
    pages.push(page);
    const maxKeys = params.maxKeys ?? 1000;
    assert.ok(page.objects.length + page.commonPrefixes.length <= maxKeys, 'a page holds at most maxKeys entries');
    keys.push(...page.objects.map((o) => o.key));
    prefixes.push(...page.commonPrefixes);
    if (!page.isTruncated) break;
    assert.ok(page.nextContinuationToken, 'a truncated page carries a continuation token');
    assert.ok(page.objects.length + page.commonPrefixes.length > 0, 'a truncated page makes progress');
    assert.ok(pages.length < 10_000, 'paging terminates');
    token = page.nextContinuationToken;
  }
  return { keys, prefixes, pages };
}

/** Assert that `fn` rejects with an instance of `type`, returning the error for further checks. */
export async function rejectsWith<E>(fn: () => Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof type, `expected ${type.name}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  return caught;
}
