/**
 * The one validation path for configuration documents: environment
 * interpolation, the schema, cross-field checks and (when the runtime can
 * tell) whether fs roots exist — every problem collected before anything is
 * thrown. Runtime-agnostic: file reading lives in the runtime adapters.
 */
import type { SluiceConfig } from '../core/config.ts';
import { ConfigError, type ConfigProblem } from '../core/errors/config-error.ts';
import { assembleConfig } from './assemble.ts';
import { crossCheck } from './cross-checks.ts';
import { interpolateEnv } from './env.ts';
import { resolvePosixPath } from './paths.ts';
import { checkPolicySections } from './policy-checks.ts';
import { formatFieldPath, isPlainObject, isWithin, type FieldProblem } from './problem.ts';
import { configDocumentSchema } from './schema.ts';
import { configErrorMessage, problemsFromZod } from './zod-problems.ts';

export { parseConfigText, type ConfigFormat } from './parse-text.ts';

export interface ValidateOptions {
  /** Named in every problem, usually the file path as given. */
  source: string;
  /** Relative fs roots and the SQLite path are resolved against this folder (the config file's). */
  baseDir: string;
  /** Values for `${env:NAME}` placeholders. */
  env: Record<string, string | undefined>;
  /** Defaults to POSIX joining; the Node loader passes `path.resolve`. */
  resolvePath?: (baseDir: string, path: string) => string;
  /** Returns a problem message when an fs root is unusable (e.g. missing). */
  checkFsRoot?: (absolutePath: string) => string | undefined;
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
  const parsed = configDocumentSchema.safeParse(input, { error: configErrorMessage });
  const later: FieldProblem[] = [
    ...(parsed.success ? [] : problemsFromZod(parsed.error, input)),
    ...crossCheck(input),
    ...checkPolicySections(input),
    ...checkFsRoots(input, options.baseDir, resolvePath, options.checkFsRoot),
  ];
  // A field whose placeholder failed is already reported; checking its leftover text would only add noise.
  const problems = inDocumentOrder(
    [...interpolated.problems, ...later.filter((p) => !interpolated.failedPaths.some((failed) => isWithin(p.path, failed)))],
    input,
  );
  if (problems.length > 0 || !parsed.success) fail(problems);
  return assembleConfig(parsed.data!, options.baseDir, resolvePath);
}

/** Sort by section, then by entry as written, so related problems sit together (the sort is stable). */
function inDocumentOrder(problems: FieldProblem[], document: Record<string, unknown>): FieldProblem[] {
  const sections = ['server', 'connections', 'buckets', 'accounts', 'accessKeys', 'policy'];
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

function checkFsRoots(
  document: Record<string, unknown>,
  baseDir: string,
  resolvePath: (baseDir: string, path: string) => string,
  check: ValidateOptions['checkFsRoot'],
): FieldProblem[] {
  if (!check || !isPlainObject(document.connections)) return [];
  const problems: FieldProblem[] = [];
  for (const [name, connection] of Object.entries(document.connections)) {
    if (!isPlainObject(connection) || connection.type !== 'fs') continue;
    if (typeof connection.root !== 'string' || connection.root === '') continue;
    const message = check(resolvePath(baseDir, connection.root));
    if (message) problems.push({ path: ['connections', name, 'root'], message });
  }
  return problems;
}
