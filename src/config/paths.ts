/**
 * Path joining without `node:path`, so validation stays runtime-agnostic.
 * POSIX semantics; the Node loader passes its own `path.resolve` instead,
 * which also understands Windows paths.
 */

/** Resolve `path` against `baseDir` and collapse `.`, `..` and repeated slashes. */
export function resolvePosixPath(baseDir: string, path: string): string {
  if (/^[A-Za-z]:[\\/]/.test(path)) return path;
  const joined = path.startsWith('/') ? path : `${baseDir}/${path}`;
  const segments: string[] = [];
  for (const segment of joined.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const resolved = segments.join('/');
  return joined.startsWith('/') ? `/${resolved}` : resolved || '.';
}
