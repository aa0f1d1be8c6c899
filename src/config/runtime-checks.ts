/**
 * What a runtime cannot run, checked at validation so a configuration meant
 * for another runtime fails with a message naming this one: a connection
 * kind another runtime offers (Workers have no file system for `fs`), a
 * database policy store (`policy.sqlitePath` and `policy.postgresUrl` are
 * Node's, `policy.type: d1` the Workers'), or a disk tier for the hot-range
 * cache.
 */
import { isPlainObject, type FieldProblem } from './problem.ts';

export interface RuntimeLimits {
  /** The runtime as problems name it, e.g. "Cloudflare Workers". */
  name: string;
  /** Connection kinds other runtimes offer that this one cannot run, each with the reason. */
  unavailableConnections?: Readonly<Record<string, string>>;
  /** Why `policy.sqlitePath` and `policy.postgresUrl` cannot be used here; absent when the runtime can open those stores. */
  noDatabasePolicy?: string;
  /** Policy store types (`policy.type`) of other runtimes that this one cannot open, each with the reason. */
  unavailablePolicyTypes?: Readonly<Record<string, string>>;
  /** Metering sink types this runtime cannot offer, each with the reason. */
  unavailableMeteringSinks?: Readonly<Record<string, string>>;
  /** Why `metrics.listen` (a listener of its own) cannot be used here. */
  noMetricsListener?: string;
  /** Why a `cache.disk` tier cannot be used here; absent when the runtime has a local disk. */
  noDiskCache?: string;
}

/** Problems for what `limits` excludes, at the fields that ask for it. */
export function checkRuntimeLimits(document: Record<string, unknown>, limits: RuntimeLimits, available: readonly string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const unavailable = limits.unavailableConnections ?? {};
  if (isPlainObject(document.connections)) {
    for (const [name, connection] of Object.entries(document.connections)) {
      const type = isPlainObject(connection) ? connection.type : undefined;
      if (typeof type !== 'string' || !Object.hasOwn(unavailable, type)) continue;
      problems.push({
        path: ['connections', name, 'type'],
        message: `type "${type}" is not available on ${limits.name}: ${unavailable[type]} (available here: ${available.join(', ')})`,
      });
    }
  }
  const policy = isPlainObject(document.policy) ? document.policy : {};
  for (const field of ['sqlitePath', 'postgresUrl'] as const) {
    if (limits.noDatabasePolicy !== undefined && policy[field] !== undefined) {
      problems.push({ path: ['policy', field], message: `not available on ${limits.name}: ${limits.noDatabasePolicy}` });
    }
  }
  const policyType = policy.type;
  if (typeof policyType === 'string' && limits.unavailablePolicyTypes && Object.hasOwn(limits.unavailablePolicyTypes, policyType)) {
    problems.push({ path: ['policy', 'type'], message: `type "${policyType}" is not available on ${limits.name}: ${limits.unavailablePolicyTypes[policyType]}` });
  }
  const sink = isPlainObject(document.metering) && isPlainObject(document.metering.sink) ? document.metering.sink.type : undefined;
  if (typeof sink === 'string' && limits.unavailableMeteringSinks && Object.hasOwn(limits.unavailableMeteringSinks, sink)) {
    problems.push({ path: ['metering', 'sink', 'type'], message: `type "${sink}" is not available on ${limits.name}: ${limits.unavailableMeteringSinks[sink]}` });
  }
  if (limits.noMetricsListener !== undefined && isPlainObject(document.metrics) && document.metrics.listen !== undefined) {
    problems.push({ path: ['metrics', 'listen'], message: `not available on ${limits.name}: ${limits.noMetricsListener}` });
  }
  if (limits.noDiskCache !== undefined) {
    const sections: Array<[string, unknown]> = [['connections', document.connections], ['buckets', document.buckets]];
    for (const [section, entries] of sections) {
      if (!isPlainObject(entries)) continue;
      for (const [name, entry] of Object.entries(entries)) {
        if (isPlainObject(entry) && isPlainObject(entry.cache) && entry.cache.disk !== undefined) {
          problems.push({ path: [section, name, 'cache', 'disk'], message: `not available on ${limits.name}: ${limits.noDiskCache}` });
        }
      }
    }
  }
  return problems;
}
