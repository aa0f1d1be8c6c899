/**
 * Audit events for management commands: one JSON line on stderr per change,
 * so they reach the operator's log collection without mixing with the
 * command's own output. Never carries secrets.
 */
import type { CliIo } from './command.ts';

export function audit(io: CliIo, event: string, fields: Record<string, string | undefined>, now = new Date()): void {
  io.err(JSON.stringify({ level: 'info', msg: 'audit', event, time: now.toISOString(), ...fields }));
}
