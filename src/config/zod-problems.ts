/**
 * Turning zod issues into plain problems: messages in the configuration's
 * own words ("required", "unknown field … did you mean …?"), one problem per
 * unknown key, and never the offending value (it may be a secret).
 */
import type { z } from 'zod';
import { isPlainObject, type FieldPath, type FieldProblem } from './problem.ts';
import { accessKeyFieldsSchema, accountSchema, policySchema, statementSchema } from './policy-schema.ts';
import { type ConnectionKinds, kindOf } from './connection-schema.ts';
import { DOCUMENT_SECTIONS, bucketSchema, corsSchema, serverSchema } from './schema.ts';

/** The fields of an object schema, looking through optional, default and transform wrappers. */
function fieldsOf(schema: unknown): string[] {
  let def = (schema as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
  while (def && def.type !== 'object') {
    const inner = def.type === 'pipe' ? def.in : def.innerType;
    def = (inner as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
  }
  return def ? Object.keys(def.shape as object) : [];
}

/** The fields allowed in the mapping at `path`, for "did you mean" hints. */
function fieldsAt(path: FieldPath, document: unknown, kinds: ConnectionKinds): string[] {
  const [section, name, field] = path;
  const depth = path.length;
  if (depth === 0) return DOCUMENT_SECTIONS;
  if (section === 'server' && depth === 1) return Object.keys(serverSchema.shape);
  if (section === 'server' && name === 'cors' && depth === 2) return Object.keys(corsSchema.shape);
  if (section === 'buckets' && depth === 2) return Object.keys(bucketSchema.shape);
  if (section === 'connections' && (depth === 2 || depth === 3)) {
    const connections = isPlainObject(document) ? document.connections : undefined;
    const shape = kindOf(kinds, isPlainObject(connections) ? connections[String(name)] : undefined)?.configSchema.shape;
    if (!shape) return [];
    // A nested mapping of the kind's settings, such as an S3 connection's credentials.
    return depth === 3 ? fieldsOf((shape as Record<string, unknown>)[String(field)]) : Object.keys(shape);
  }
  if (section === 'accounts' && depth === 2) return Object.keys(accountSchema.shape);
  if (section === 'accessKeys' && depth === 2) return Object.keys(accessKeyFieldsSchema.shape);
  // A grant (accounts.X.grants[i]) or a ceiling statement (accessKeys.X.ceiling[i]).
  if ((section === 'accounts' || section === 'accessKeys') && depth === 4) return Object.keys(statementSchema.shape);
  if (section === 'policy' && depth === 1) return Object.keys(policySchema.shape);
  return [];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fractional number';
  return `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/** Per-parse error map: replaces zod's default messages where ours say more. */
export function configErrorMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (!options) return undefined;
      const list = options.map((v) => JSON.stringify(v)).join(', ');
      const present = typeof issue.input === 'object' && issue.input !== null && 'type' in issue.input;
      return present ? `must be one of ${list}` : `required: one of ${list}`;
    }
    case 'too_small':
      if (issue.origin === 'number') return `must be at least ${String(issue.minimum)}`;
      return undefined;
    case 'too_big':
      if (issue.origin === 'number') return `must be at most ${String(issue.maximum)}`;
      return undefined;
    default:
      return undefined;
  }
}

/** Edit distance, for "did you mean" on unknown fields. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function suggestion(key: string, known: string[]): string {
  // A shortened name (`maxAge` for `maxAgeSeconds`) is as likely as a typo.
  const extended = key.length >= 4 ? known.find((field) => field.toLowerCase().startsWith(key.toLowerCase())) : undefined;
  if (extended) return ` (did you mean "${extended}"?)`;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const field of known) {
    const d = distance(key, field);
    if (d < bestDistance) [best, bestDistance] = [field, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

/** `document` is the input that was parsed; with `kinds`, it tells which kind of connection a mapping is. */
export function problemsFromZod(error: z.ZodError, document: unknown, kinds: ConnectionKinds): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
    if (issue.code === 'unrecognized_keys') {
      const known = fieldsAt(path, document, kinds);
      for (const key of issue.keys) problems.push({ path: [...path, key], message: `unknown field${suggestion(key, known)}` });
    } else {
      problems.push({ path, message: issue.message });
    }
  }
  return problems;
}
