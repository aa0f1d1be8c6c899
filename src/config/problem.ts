/**
 * Problems as the config modules collect them: a field path as segments and
 * a message. `validate.ts` attaches the source and formats the path.
 */

export type FieldPath = readonly (string | number)[];

export interface FieldProblem {
  path: FieldPath;
  message: string;
}

/** `buckets.foo.connection`, `server.cors.allowedOrigins[1]`, `buckets["my.data"].prefix`. */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** True when `path` is `prefix` or lies beneath it. */
export function isWithin(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
