/**
 * `ConfigError`: a configuration that cannot be used. It carries every
 * problem found (never just the first), so a user fixes them all in one go.
 */

export interface ConfigProblem {
  /** Where the configuration came from, usually the file path as given. */
  source: string;
  /** Field path such as `buckets.foo.connection`; "" for the document as a whole. */
  path: string;
  message: string;
  /** 1-based position, when the problem is tied to a place in the text (syntax errors). */
  line?: number;
  column?: number;
}

/** One line: `source: path: message` (or `source:line:column: message` for syntax errors). */
export function formatConfigProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.source : `${problem.source}:${problem.line}:${problem.column ?? 1}`;
  return problem.path ? `${where}: ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatConfigProblem).join('\n'));
    this.problems = problems;
  }
}
