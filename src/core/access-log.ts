/**
 * The access log: one structured event per request, written when the
 * response body has been fully sent (or the client went away).
 */
import type { RuntimeContext } from './runtime.ts';

export interface AccessRecord {
  requestId: string;
  method: string;
  /** The S3 operation name, or the special endpoint served. */
  op: string;
  identity: string;
  /** Session credentials only: the role (`account::role/name`), session name and the token subject and issuer that assumed it. */
  role?: string;
  sessionName?: string;
  assumedBy?: string;
  assumedByIssuer?: string;
  bucket?: string;
  key?: string;
  status: number;
  /** Error code for failed requests. */
  error?: string;
  /** Why a request failed on the server's side (5xx): the backend's detail, never sent to the client. */
  cause?: unknown;
  ip?: string;
}

export interface Completion {
  bytes: number;
  /** The client disconnected before the body was fully sent. */
  aborted: boolean;
}

/** The completion callback for one request; undefined when logging is off, so runtimes skip the bookkeeping. */
export function accessLogger(runtime: RuntimeContext, enabled: boolean) {
  return (record: AccessRecord, startedMs: number): ((completion: Completion) => void) | undefined =>
    !enabled ? undefined : (completion) => {
      runtime.log.write({
        level: 'info',
        msg: 'request',
        time: runtime.now().toISOString(),
        ...record,
        bytes: completion.bytes,
        aborted: completion.aborted || undefined,
        durationMs: Math.round((performance.now() - startedMs) * 1000) / 1000,
      });
    };
}
