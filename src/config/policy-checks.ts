/**
 * Cross-field rules of the access-control sections: account names, access
 * key ids, a key's account and every statement's bucket exist, and the
 * master key that goes with a database store or a shared cache, and one
 * database store at most. When `policy.sqlitePath` or `policy.postgresUrl` is set,
 * or `policy.type` is `api` or `d1`, accounts and buckets may live in that
 * store, so references are checked for form only. Like `cross-checks.ts`, this runs on the raw document and
 * looks only at parts of the right shape.
 */
import { isPlainObject, type FieldPath, type FieldProblem } from './problem.ts';
import { accessKeyIdProblem, bucketNameProblem } from './rules.ts';

export function checkPolicySections(document: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const server = isPlainObject(document.server) ? document.server : {};
  const pathMapped = server.addressing === 'path-mapped';
  const policy = isPlainObject(document.policy) ? document.policy : {};
  // With a database or a policy API, accounts and buckets may live there: references are checked for form only.
  const withDatabase = typeof policy.sqlitePath === 'string' || typeof policy.postgresUrl === 'string' || policy.type === 'api' || policy.type === 'd1';
  const accounts = isPlainObject(document.accounts) ? document.accounts : {};
  const buckets = configuredBuckets(document.buckets, pathMapped);

  const checkStatements = (statements: unknown, path: FieldPath) => {
    if (!Array.isArray(statements)) return;
    statements.forEach((statement, index) => {
      if (!isPlainObject(statement) || typeof statement.bucket !== 'string' || statement.bucket === '') return;
      const message = withDatabase
        ? bucketRefFormProblem(statement.bucket, pathMapped)
        : bucketRefProblem(statement.bucket, buckets, pathMapped);
      if (message) problems.push({ path: [...path, index, 'bucket'], message });
    });
  };

  for (const [name, account] of Object.entries(accounts)) {
    const message = bucketNameProblem(name);
    if (message) problems.push({ path: ['accounts', name], message: `account name ${message}` });
    if (isPlainObject(account)) checkStatements(account.grants, ['accounts', name, 'grants']);
    if (isPlainObject(account) && isPlainObject(account.createBuckets)) {
      problems.push(...bucketCreationProblems(document, account.createBuckets, ['accounts', name, 'createBuckets'], pathMapped));
    }
  }

  const accessKeys = isPlainObject(document.accessKeys) ? document.accessKeys : {};
  for (const [id, key] of Object.entries(accessKeys)) {
    const message = accessKeyIdProblem(id);
    if (message) problems.push({ path: ['accessKeys', id], message });
    if (!isPlainObject(key)) continue;
    if (!withDatabase && typeof key.account === 'string' && key.account !== '' && !Object.hasOwn(accounts, key.account)) {
      const defined = Object.keys(accounts);
      problems.push({
        path: ['accessKeys', id, 'account'],
        message: defined.length ? `no such account (defined: ${defined.join(', ')})` : 'no such account (no accounts are defined)',
      });
    }
    checkStatements(key.ceiling, ['accessKeys', id, 'ceiling']);
  }

  if (typeof policy.sqlitePath === 'string' && typeof policy.postgresUrl === 'string') {
    problems.push({ path: ['policy', 'postgresUrl'], message: 'give policy.sqlitePath or policy.postgresUrl, not both' });
  }
  problems.push(...policyApiProblems(policy, document));
  problems.push(...d1Problems(policy));
  if (policy.masterKey === undefined && policy.type === 'd1') {
    problems.push({ path: ['policy', 'masterKey'], message: 'required with type: d1 (it decrypts the secrets stored in the D1 database)' });
  } else if (policy.masterKey === undefined) {
    const needing = (['sqlitePath', 'postgresUrl', 'redisUrl'] as const).find((field) => typeof policy[field] === 'string');
    if (needing) {
      const why = needing === 'redisUrl' ? 'it encrypts the entries shared through Redis' : 'it encrypts the stored secrets';
      problems.push({ path: ['policy', 'masterKey'], message: `required when policy.${needing} is set (${why})` });
    }
  }
  return problems;
}

/**
 * An account's `createBuckets`: its connection exists and can be written,
 * addressing is by bucket name, and a database store (SQLite or PostgreSQL)
 * holds the buckets clients create.
 */
function bucketCreationProblems(document: Record<string, unknown>, settings: Record<string, unknown>, path: FieldPath, pathMapped: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const policy = isPlainObject(document.policy) ? document.policy : {};
  if (pathMapped) {
    problems.push({ path, message: 'bucket creation needs server.addressing "path": with "path-mapped" the first path segment names an account' });
  }
  if (typeof policy.sqlitePath !== 'string' && typeof policy.postgresUrl !== 'string') {
    problems.push({ path, message: 'bucket creation needs policy.sqlitePath or policy.postgresUrl: buckets clients create are kept in the database policy store' });
  }
  const connections = isPlainObject(document.connections) ? document.connections : {};
  const name = settings.connection;
  if (typeof name === 'string' && name !== '') {
    const connection = connections[name];
    if (!Object.hasOwn(connections, name)) {
      const defined = Object.keys(connections);
      problems.push({ path: [...path, 'connection'], message: defined.length ? `no such connection (defined: ${defined.join(', ')})` : 'no such connection (no connections are defined)' });
    } else if (isPlainObject(connection) && connection.readOnly === true) {
      problems.push({ path: [...path, 'connection'], message: 'the connection is readOnly: buckets created on it could never be written' });
    }
  }
  return problems;
}

/** `type: api` needs its URL and auth and stands alone; its fields mean nothing without it. */
function policyApiProblems(policy: Record<string, unknown>, document: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (policy.type === 'api') {
    if (policy.url === undefined) problems.push({ path: ['policy', 'url'], message: 'required with type: api (the policy API\'s base URL)' });
    if (policy.auth === undefined) problems.push({ path: ['policy', 'auth'], message: 'required with type: api ({ type: bearer, token } or { type: issuer, audience })' });
    for (const field of ['sqlitePath', 'postgresUrl'] as const) {
      if (policy[field] !== undefined) problems.push({ path: ['policy', field], message: 'not with type: api (the policy API is the store)' });
    }
    if (isPlainObject(policy.auth) && policy.auth.type === 'issuer' && document.issuer === undefined) {
      problems.push({ path: ['policy', 'auth'], message: 'type: issuer signs with this server\'s OIDC issuer: configure the issuer section' });
    }
  } else {
    for (const field of ['url', 'auth', 'lookups'] as const) {
      if (policy[field] !== undefined) problems.push({ path: ['policy', field], message: 'applies to type: api only' });
    }
  }
  return problems;
}

/** `type: d1` names its binding and stands alone; `binding` means nothing without it. */
function d1Problems(policy: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (policy.type === 'd1') {
    if (policy.binding === undefined) {
      problems.push({ path: ['policy', 'binding'], message: 'required with type: d1 (the name of the Worker\'s D1 database binding in wrangler.toml, e.g. SLUICE_DB)' });
    }
    for (const field of ['sqlitePath', 'postgresUrl'] as const) {
      if (policy[field] !== undefined) problems.push({ path: ['policy', field], message: 'not with type: d1 (the D1 database is the store)' });
    }
  } else if (policy.binding !== undefined) {
    problems.push({ path: ['policy', 'binding'], message: 'applies to type: d1 only' });
  }
  return problems;
}

/** The names statements use for the configured buckets: `name`, or `account/name` in path-mapped mode. */
function configuredBuckets(section: unknown, pathMapped: boolean): string[] {
  if (!isPlainObject(section)) return [];
  const refs: string[] = [];
  for (const [key, bucket] of Object.entries(section)) {
    if (!isPlainObject(bucket)) continue;
    const name = typeof bucket.name === 'string' ? bucket.name : key;
    if (!pathMapped) refs.push(name);
    else if (typeof bucket.account === 'string') refs.push(`${bucket.account}/${name}`);
  }
  return refs;
}

/** Without a database, a statement must name a bucket of this file (or every bucket). */
function bucketRefProblem(ref: string, buckets: string[], pathMapped: boolean): string | undefined {
  if (ref === '*' || buckets.includes(ref)) return undefined;
  if (pathMapped && !ref.includes('/')) return 'in path-mapped mode, name the bucket as "account/name", or write "*" for every bucket';
  return buckets.length
    ? `no such bucket (defined: ${buckets.join(', ')})`
    : 'no such bucket (no buckets are defined)';
}

/** With a database, the bucket may be defined there; check that it could name one. */
function bucketRefFormProblem(ref: string, pathMapped: boolean): string | undefined {
  if (ref === '*') return undefined;
  const parts = ref.split('/');
  if (pathMapped) {
    if (parts.length !== 2) return 'must be "account/name", or "*" for every bucket, in path-mapped mode';
    const accountProblem = bucketNameProblem(parts[0]!);
    if (accountProblem) return `account name ${accountProblem}`;
    const nameProblem = bucketNameProblem(parts[1]!);
    return nameProblem ? `bucket name ${nameProblem}` : undefined;
  }
  if (parts.length !== 1) return 'must be a bucket name, or "*" for every bucket ("account/name" is for path-mapped addressing)';
  const nameProblem = bucketNameProblem(ref);
  return nameProblem ? `bucket name ${nameProblem}` : undefined;
}
