/**
 * The one validation path for configuration documents: environment
 * interpolation, the schema (with the connection kinds the runtime
 * registers), cross-field checks and (when the runtime can tell) whether the
 * directories connections name exist — every problem collected before
 * anything is thrown. Runtime-agnostic: file reading lives in the runtime
 * adapters.
 */
import type { SluiceConfig } from '../core/config.ts';
import { ConfigError, type ConfigProblem } from '../core/errors/config-error.ts';
import { assembleConfig } from './assemble.ts';
import { type ConnectionKinds, connectionUnionSchema, kindOf } from './connection-schema.ts';
import { checkCacheSections } from './cache-checks.ts';
import { crossCheck } from './cross-checks.ts';
import { interpolateEnv } from './env.ts';
import { resolvePosixPath } from './paths.ts';
import { checkPolicySections } from './policy-checks.ts';
import { checkStsSection } from './sts-checks.ts';
import { checkConsoleConfig } from '../console/config-schema.ts';
import { formatFieldPath, isPlainObject, isWithin, type FieldProblem } from './problem.ts';
import { checkRuntimeLimits, type RuntimeLimits } from './runtime-checks.ts';
import { configDocumentSchema } from './schema.ts';
import { configErrorMessage, problemsFromZod } from './zod-problems.ts';

export { parseConfigText, type ConfigFormat } from './parse-text.ts';
export type { RuntimeLimits } from './runtime-checks.ts';

export interface ValidateOptions {
  /** Named in every problem, usually the file path as given. */
  source: string;
  /** Relative fs roots and the SQLite path are resolved against this folder (the config file's). */
  baseDir: string;
  /** Values for `${env:NAME}` placeholders. */
  env: Record<string, string | undefined>;
  /** The connection kinds this runtime offers: its backend registry. */
  backends: ConnectionKinds;
  /** Defaults to POSIX joining; the Node loader passes `path.resolve`. */
  resolvePath?: (baseDir: string, path: string) => string;
  /** Returns a problem message when a directory a connection names (an fs root) is unusable, e.g. missing. */
  checkDirectory?: (absolutePath: string) => string | undefined;
  /** What this runtime cannot run (another runtime's connection kinds, a database policy store), named in problems. */
  runtime?: RuntimeLimits;
}

export function validateConfig(document: unknown, options: ValidateOptions): SluiceConfig {
  const resolvePath = options.resolvePath ?? resolvePosixPath;
  const fail = (problems: FieldProblem[]): never => {
    throw new ConfigError(
      problems.map((p): ConfigProblem => ({ source: options.source, path: formatFieldPath(p.path), message: p.message })),
    );
  };

  if (!isPlainObject(document)) {
    fail([{ path: [], message: 'the configuration must be a mapping with server, connections and buckets sections' }]);
  }
  const interpolated = interpolateEnv(document, options.env);
  const input = interpolated.value as Record<string, unknown>;
  const parsed = configDocumentSchema(connectionUnionSchema(options.backends)).safeParse(input, { error: configErrorMessage });
  const sts = checkStsSection(input);
  const available = options.backends.plugins.map((kind) => kind.type).sort();
  const unavailable = options.runtime ? checkRuntimeLimits(input, options.runtime, available) : [];
  // The runtime's own message replaces the schema's ("must be one of …") for the entry it names.
  const fromSchema = parsed.success ? [] : problemsFromZod(parsed.error, input, options.backends);
  const later: FieldProblem[] = [
    ...unavailable,
    // An unavailable connection kind replaces the schema's problems for that connection; other refusals stand beside them.
    ...fromSchema.filter((p) => !unavailable.some((u) => u.path[2] === 'type' && isWithin(p.path, u.path.slice(0, 2)))),
    ...crossCheck(input),
    ...checkCacheSections(input),
    ...checkPolicySections(input),
    ...checkDirectories(input, options, resolvePath),
    ...sts.problems,
    ...checkConsoleConfig(input),
  ];
  // A field whose placeholder failed is already reported; checking its leftover text would only add noise.
  const problems = inDocumentOrder(
    [...interpolated.problems, ...later.filter((p) => !interpolated.failedPaths.some((failed) => isWithin(p.path, failed)))],
    input,
  );
  if (problems.length > 0 || !parsed.success) fail(problems);
  return assembleConfig(parsed.data!, options.backends, options.baseDir, resolvePath, sts.section?.roles ?? []);
}

/** Sort by section, then by entry as written, so related problems sit together (the sort is stable). */
function inDocumentOrder(problems: FieldProblem[], document: Record<string, unknown>): FieldProblem[] {
  const sections = ['server', 'connections', 'buckets', 'accounts', 'accessKeys', 'policy', 'sts', 'issuer', 'console'];
  const rank = (p: FieldProblem): [number, number] => {
    const [section, entry] = p.path;
    const sectionRank = sections.indexOf(String(section));
    const value = document[String(section)];
    const entryRank = entry === undefined ? -1 : isPlainObject(value) ? Object.keys(value).indexOf(String(entry)) : 0;
    return [sectionRank === -1 ? (section === undefined ? -1 : sections.length) : sectionRank, entryRank];
  };
  return problems
    .map((problem, index) => ({ problem, index, rank: rank(problem) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.index - b.index)
    .map(({ problem }) => problem);
}

function checkDirectories(
  document: Record<string, unknown>,
  options: ValidateOptions,
  resolvePath: (baseDir: string, path: string) => string,
): FieldProblem[] {
  const check = options.checkDirectory;
  if (!check || !isPlainObject(document.connections)) return [];
  const problems: FieldProblem[] = [];
  for (const [name, connection] of Object.entries(document.connections)) {
    if (!isPlainObject(connection)) continue;
    for (const field of kindOf(options.backends, connection)?.directories ?? []) {
      const path = connection[field];
      if (typeof path !== 'string' || path === '') continue;
      const message = check(resolvePath(options.baseDir, path));
      if (message) problems.push({ path: ['connections', name, field], message });
    }
  }
  return problems;
}
