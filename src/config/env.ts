/**
 * `${env:NAME}` interpolation over the raw document, before validation.
 *
 * Every string value (not keys) may contain placeholders; each is replaced
 * by the variable's value, once (values are not scanned again, so a secret
 * containing `${` stays intact). `$${` writes a literal `${`. A variable that
 * is not set is a problem, reported at the field's path without its value.
 */
import { isPlainObject, type FieldPath, type FieldProblem } from './problem.ts';

export interface InterpolationResult {
  value: unknown;
  problems: FieldProblem[];
  /** Fields whose placeholders could not be resolved; later checks skip them. */
  failedPaths: FieldPath[];
}

const PLACEHOLDER = /\$\$\{|\$\{([^}]*)\}/g;

export function interpolateEnv(document: unknown, env: Record<string, string | undefined>): InterpolationResult {
  const problems: FieldProblem[] = [];
  const failedPaths: FieldPath[] = [];

  const visit = (value: unknown, path: FieldPath): unknown => {
    if (typeof value === 'string') return interpolateString(value, path);
    if (Array.isArray(value)) return value.map((item, i) => visit(item, [...path, i]));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = visit(item, [...path, key]);
      return out;
    }
    return value;
  };

  const interpolateString = (text: string, path: FieldPath): string => {
    if (!text.includes('${')) return text;
    let failed = false;
    const result = text.replace(PLACEHOLDER, (whole, inner: string | undefined) => {
      if (whole === '$${') return '${';
      const name = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(inner ?? '')?.[1];
      if (name === undefined) {
        problems.push({ path, message: 'unsupported placeholder: write ${env:NAME} (NAME of letters, digits and "_"), or $${ for a literal "${"' });
        failed = true;
        return whole;
      }
      const resolved = env[name];
      if (resolved === undefined) {
        problems.push({ path, message: `environment variable ${name} is not set` });
        failed = true;
        return whole;
      }
      return resolved;
    });
    if (failed) failedPaths.push(path);
    return result;
  };

  return { value: visit(document, []), problems, failedPaths };
}
