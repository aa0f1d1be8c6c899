/**
 * The shape every adapter of the gateway behaviour suite gives the suite: a
 * gateway that takes a request as a client would send it and answers with
 * status, headers and the whole body. The suite never sees which runtime
 * carries the request.
 */
import type { Backend } from '../../src/core/backend.ts';
import type { SluiceConfig } from '../../src/core/config.ts';

export interface SuiteRequest {
  method?: string;
  /** Path and query exactly as sent, e.g. `/open-data/a%20b.txt?x-id=1`. */
  target: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface SuiteResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Uint8Array;
  /** The body as UTF-8 text. */
  text(): string;
}

export interface GatewayUnderTest {
  /** Scheme and authority requests are signed for (and sent to), e.g. `http://127.0.0.1:43121`. */
  readonly origin: string;
  send(request: SuiteRequest): Promise<SuiteResponse>;
  /**
   * Start a download, wait for its first bytes, then go away as a client
   * would: cancel the response body in process, or destroy the socket over
   * HTTP. Resolves with the status once the download has been abandoned.
   */
  abandonAfterFirstBytes(request: SuiteRequest): Promise<number>;
  close(): Promise<void>;
}

/** What an adapter is started with: a validated config and one backend per connection. */
export interface GatewaySetup {
  config: SluiceConfig;
  backends: ReadonlyMap<string, Backend>;
}

/** One way of running the gateway (in process, through fetch, over Node HTTP). */
export interface GatewayAdapter {
  readonly name: string;
  start(setup: GatewaySetup): Promise<GatewayUnderTest>;
}

/** A fresh backend for one test, with a way to seed it and to clean up after. */
export interface BackendUnderTest {
  backend: Backend;
  /** Store an object directly in the backend (the key as the backend sees it). */
  seed(key: string, content: string | Uint8Array, options?: { contentType?: string; metadata?: Record<string, string> }): Promise<void>;
  cleanup(): Promise<void>;
}

/** Makes a fresh backend per test; `close` ends what the maker shares between tests (an S3 peer). */
export interface BackendMaker {
  readonly name: string;
  make(): Promise<BackendUnderTest>;
  close(): Promise<void>;
}
