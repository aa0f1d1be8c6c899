/**
 * The audit record of one STS exchange: who presented which token for which
 * role, and what came of it. Written once per exchange, success or failure,
 * with the failure's full detail for operators — never the token or a secret.
 */
import type { LogSink } from '../core/runtime.ts';

export interface StsExchangeRecord {
  requestId: string;
  clientIp?: string;
  account?: string;
  role?: string;
  issuer?: string;
  assumedBy?: string;
  /** The `jti` of the API key exchanged, when the token was one. */
  apiKey?: string;
  sessionName?: string;
  result: 'success' | 'failure';
  errorCode?: string;
  reason?: string;
  accessKeyId?: string;
  durationSeconds?: number;
  expiration?: string;
}

export function writeStsExchange(sink: LogSink, time: Date, record: StsExchangeRecord): void {
  sink.write({ level: record.result === 'success' ? 'info' : 'warn', msg: 'audit', event: 'sts_exchange', time: time.toISOString(), ...record });
}
