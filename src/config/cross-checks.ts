/**
 * Rules that span fields: names used as map keys, bucket → connection
 * references, accounts in path-mapped mode, and uniqueness. They run on the
 * raw (interpolated) document, looking only at parts of the right shape, so
 * they report alongside the schema's problems instead of waiting for them to
 * be fixed first.
 */
import { formatFieldPath, isPlainObject, type FieldProblem } from './problem.ts';
import { bucketNameProblem, connectionNameProblem } from './rules.ts';

export function crossCheck(document: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const server = isPlainObject(document.server) ? document.server : {};
  const pathMapped = server.addressing === 'path-mapped';
  const connections = isPlainObject(document.connections) ? document.connections : undefined;

  if (connections) {
    for (const name of Object.keys(connections)) {
      const message = connectionNameProblem(name);
      if (message) problems.push({ path: ['connections', name], message });
    }
  }

  const buckets = isPlainObject(document.buckets) ? document.buckets : {};
  const seen = new Map<string, string>();
  for (const [key, bucket] of Object.entries(buckets)) {
    if (!isPlainObject(bucket)) continue;
    const explicitName = typeof bucket.name === 'string';
    const name = explicitName ? (bucket.name as string) : key;
    const namePath = explicitName ? ['buckets', key, 'name'] : ['buckets', key];
    const nameMessage = bucketNameProblem(name);
    if (nameMessage) problems.push({ path: namePath, message: `bucket name ${nameMessage}` });

    if (typeof bucket.connection === 'string' && bucket.connection !== '' && !(connections && Object.hasOwn(connections, bucket.connection))) {
      const defined = connections ? Object.keys(connections) : [];
      problems.push({
        path: ['buckets', key, 'connection'],
        message: defined.length
          ? `no such connection (defined: ${defined.join(', ')})`
          : 'no such connection (no connections are defined)',
      });
    }

    if (pathMapped && bucket.account === undefined) {
      problems.push({ path: ['buckets', key, 'account'], message: 'required when server.addressing is "path-mapped"' });
    }

    // Clients address a bucket by name, or by account and name in path-mapped mode.
    const account = typeof bucket.account === 'string' ? bucket.account : undefined;
    if (pathMapped && account === undefined) continue;
    const identity = pathMapped ? `${account}/${name}` : name;
    const earlier = seen.get(identity);
    if (earlier !== undefined) {
      const other = formatFieldPath(['buckets', earlier]);
      problems.push({
        path: namePath,
        message: pathMapped
          ? `same account and name as ${other}; each (account, name) pair must be unique`
          : `same name as ${other}; bucket names must be unique`,
      });
    } else {
      seen.set(identity, key);
    }
  }
  return problems;
}
