/**
 * Audit events of the running server (key revocations, …): structured lines
 * on the same log sink as the access log, marked `msg: "audit"` so they can
 * be routed apart. Never carries secrets.
 */
import type { RuntimeContext } from '../core/runtime.ts';

export type AuditEvent =
  | 'access-key.created'
  | 'access-key.revoked'
  | 'api-key.created'
  | 'api-key.revoked'
  | 'idp.registered'
  | 'idp.removed'
  | 'role.put'
  | 'role.deleted'
  | 'role.tested'
  | 'sessions.revoked'
  | 'bucket.created'
  | 'bucket.deleted';

export function writeAudit(runtime: Pick<RuntimeContext, 'log' | 'now'>, event: AuditEvent, fields: Record<string, string>): void {
  runtime.log.write({ level: 'info', msg: 'audit', event, time: runtime.now().toISOString(), ...fields });
}
