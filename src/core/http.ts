/**
 * The gateway's request/response shapes and the injected outbound HTTP client.
 * Runtime adapters translate their native requests into these and back.
 */
import type { Body } from './body.ts';

/**
 * Header names are lower-case; repeated headers are joined with ", " as Node and fetch do.
 * Request header values are text (`header-values.ts`): bytes beyond ASCII read as UTF-8.
 */
export type HeaderMap = Record<string, string>;

export interface ClientInfo {
  /** Remote address as the runtime saw it (after any trusted proxy handling). */
  ip?: string;
}

export interface GatewayRequest {
  method: string;
  /** The path exactly as the client sent it, still percent-encoded, without the query. */
  rawPath: string;
  /** The query string exactly as sent, without the leading `?` ("" when absent). */
  rawQuery: string;
  headers: HeaderMap;
  /** Absent for requests without a body. */
  body?: Body;
  client: ClientInfo;
  /**
   * Aborted when the client goes away; backends pass it on so reads stop.
   * Runtimes may create it lazily on first access (the Node adapter does), so
   * read it only where it is needed.
   */
  signal?: AbortSignal;
}

export interface GatewayResponse {
  status: number;
  headers: HeaderMap;
  body?: Body;
  /**
   * Called by the runtime once the body has been sent in full or abandoned,
   * with the bytes actually written (feeds the access log).
   */
  done?: (completion: { bytes: number; aborted: boolean }) => void;
}

export interface OutboundRequest {
  method: string;
  url: string;
  /** Lower-case names. A `content-length` is enforced: a body of another length fails the request. */
  headers: HeaderMap;
  body?: Body;
  signal?: AbortSignal;
  /** Limits for this request; the client's defaults fill in what is left out. Failures are `HttpTimeoutError`s. */
  timeouts?: OutboundTimeouts;
  /**
   * Resolve only once the first response body byte (or the body's end) has
   * arrived: a connection lost before it rejects the request, so the caller
   * can still retry or answer with an error instead of an empty body. A
   * function decides from the status and headers (some answers are known to
   * carry nothing worth waiting for).
   */
  awaitFirstByte?: boolean | ((status: number, headers: HeaderMap) => boolean);
}

export interface OutboundTimeouts {
  /** Opening the connection (TCP, and TLS for https). */
  connectMs?: number;
  /** From the request fully sent to the response headers (to the first body byte with `awaitFirstByte`). */
  responseMs?: number;
  /** Longest time without progress while sending the body or receiving the response body. */
  idleMs?: number;
}

export interface OutboundResponse {
  status: number;
  headers: HeaderMap;
  body: Body;
}

/** Backend HTTP goes through this, so each runtime supplies its fastest client. */
export interface HttpClient {
  request(req: OutboundRequest): Promise<OutboundResponse>;
}
