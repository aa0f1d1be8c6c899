/**
 * `sluice creds`: a `credential_process` for aws-cli, boto3 and the AWS SDKs.
 * Reads an identity token (from a file, or a command's output), exchanges
 * it at the server's STS endpoint (AssumeRoleWithWebIdentity) and prints
 * the credentials in the `credential_process` JSON form. Credentials are
 * cached on disk (mode 0600) until five minutes before they expire, so a
 * tool calling it for every command does not exchange every time.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parseRoleRef } from '../../sts/role-ref.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, type Command } from '../command.ts';

/** Credentials this close to expiry are exchanged again. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const TOKEN_COMMAND_TIMEOUT_MS = 30_000;
const EXCHANGE_TIMEOUT_MS = 30_000;

const help = `Usage: sluice creds --endpoint URL --role URN (--token-file FILE | --token-command CMD) [options]
       sluice creds --endpoint URL --api-key-file FILE [--role URN] [options]

Exchange an identity token for session credentials at a Sluice STS endpoint
and print them as credential_process JSON (Version 1). Use it from an AWS
profile:

  [profile sluice]
  credential_process = sluice creds --endpoint https://sluice.example.com --role demo::role/reader --token-file /path/to/token
  endpoint_url = https://sluice.example.com

With an API key (\`sluice apikeys create\`), the profile is one line:

  credential_process = sluice creds --endpoint https://sluice.example.com --api-key-file /path/to/key.jwt

Options:
      --endpoint URL         the Sluice server (STS at URL/.sts)
      --role URN             the role to assume (account::role/name); with --api-key-file,
                             by default the key's bound role, else its account's _default role
      --api-key-file FILE    read a Sluice API key from FILE (read again at each exchange)
      --token-file FILE      read the identity token from FILE (read again at each exchange)
      --token-command CMD    run CMD (with /bin/sh) and use its output as the token
      --duration SECONDS     session length (900 to 43200; default: the role's maximum, at most 3600)
      --session-name NAME    RoleSessionName (default: sluice-creds)
      --cache-dir DIR        where credentials are cached (default: $XDG_CACHE_HOME/sluice or ~/.cache/sluice)
      --no-cache             always exchange, cache nothing
  -h, --help                 show this help

Exit codes: 0 credentials printed, 1 the exchange failed, 2 bad usage.`;

interface Credentials { Version: 1; AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string }

export interface CredsDependencies {
  fetch: typeof fetch;
  now(): Date;
  env: Record<string, string | undefined>;
}

export class ExchangeError extends Error {
  override name = 'ExchangeError';
}

export function createCredsCommand(deps: CredsDependencies = { fetch: (...a) => fetch(...a), now: () => new Date(), env: process.env }): Command {
  return {
    name: 'creds',
    summary: 'print session credentials for credential_process',
    help,
    async run(args, io) {
      const parsed = parseCommandArgs({ help }, args, {
        endpoint: { type: 'string' },
        role: { type: 'string' },
        'token-file': { type: 'string' },
        'token-command': { type: 'string' },
        'api-key-file': { type: 'string' },
        duration: { type: 'string' },
        'session-name': { type: 'string' },
        'cache-dir': { type: 'string' },
        'no-cache': { type: 'boolean' },
      }, io);
      if (!parsed) return EXIT_OK;
      const v = parsed.values;
      if (parsed.positionals.length > 0) throw new UsageError('unexpected argument');
      if (v.endpoint === undefined) throw new UsageError('missing --endpoint URL');
      if (!/^https?:\/\//.test(v.endpoint)) throw new UsageError('--endpoint must be an http(s) URL');
      const apiKeyFile = v['api-key-file'];
      const sources = [v['token-file'], v['token-command'], apiKeyFile].filter((x) => x !== undefined).length;
      if (sources !== 1) throw new UsageError('give one of --token-file, --token-command, --api-key-file');
      if (v.role !== undefined ? !parseRoleRef(v.role) : apiKeyFile === undefined) throw new UsageError('missing or malformed --role URN (account::role/name)');
      let duration: number | undefined;
      if (v.duration !== undefined) {
        duration = Number(v.duration);
        if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) throw new UsageError('--duration must be 900 to 43200 seconds');
      }
      const sessionName = v['session-name'] ?? 'sluice-creds';
      const url = v.endpoint.replace(/\/+$/, '').endsWith('/.sts') ? v.endpoint.replace(/\/+$/, '') : `${v.endpoint.replace(/\/+$/, '')}/.sts`;
      const cacheDir = v['cache-dir'] ?? join(deps.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'sluice');
      const cacheFile = join(cacheDir, `${createHash('sha256').update(JSON.stringify([url, v.role, duration, sessionName, v['token-file'], v['token-command'], apiKeyFile])).digest('hex').slice(0, 32)}.json`);

      if (!v['no-cache']) {
        const cached = await readCached(cacheFile, deps.now());
        if (cached) {
          io.out(JSON.stringify(cached));
          return EXIT_OK;
        }
      }
      try {
        const tokenFile = v['token-file'] ?? apiKeyFile;
        const token = tokenFile !== undefined ? (await readFile(tokenFile, 'utf8')).trim() : await runTokenCommand(v['token-command']!);
        if (token === '') throw new ExchangeError('the identity token is empty');
        const role = v.role ?? apiKeyRole(token);
        const credentials = await exchange(deps.fetch, url, { role, token, sessionName, duration });
        if (!v['no-cache']) await writeCached(cacheDir, cacheFile, credentials);
        io.out(JSON.stringify(credentials));
        return EXIT_OK;
      } catch (error) {
        io.err(`sluice creds: ${error instanceof ExchangeError ? error.message : String(error)}`);
        return EXIT_FAILURE;
      }
    },
  };
}

/**
 * The role an API key assumes when none is named: the one it is bound to,
 * else its account's `_default` role. Read from the token unverified — the
 * server verifies it; this only picks what to ask for.
 */
function apiKeyRole(token: string): string {
  let claims: Record<string, unknown>;
  try {
    const payload = token.split('.')[1] ?? '';
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ExchangeError('the API key file does not hold a Sluice API key (not a JWT)');
  }
  if (claims.type !== 'api_key' || typeof claims.sub !== 'string') throw new ExchangeError('the API key file does not hold a Sluice API key');
  if (typeof claims.role === 'string') return claims.role;
  return `${claims.sub}::role/_default`;
}

async function readCached(file: string, now: Date): Promise<Credentials | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Credentials;
    if (value.Version === 1 && Date.parse(value.Expiration) - now.getTime() > REFRESH_MARGIN_MS) return value;
  } catch {
    // Missing or unreadable: exchange again.
  }
  return undefined;
}

async function writeCached(dir: string, file: string, credentials: Credentials): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(credentials), { mode: 0o600 });
  await rename(temp, file);
}

function runTokenCommand(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { timeout: TOKEN_COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 }, (error, stdout) => {
      if (error) reject(new ExchangeError(`the token command failed: ${error.message.split('\n')[0]}`));
      else resolve(stdout.trim());
    });
  });
}

async function exchange(fetcher: typeof fetch, url: string, input: { role: string; token: string; sessionName: string; duration: number | undefined }): Promise<Credentials> {
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: input.role,
    RoleSessionName: input.sessionName,
    WebIdentityToken: input.token,
    ...(input.duration !== undefined && { DurationSeconds: String(input.duration) }),
  });
  let response: Response;
  try {
    response = await fetcher(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'error', signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS) });
  } catch (error) {
    throw new ExchangeError(`cannot reach ${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  const doc = new XMLParser({ parseTagValue: false }).parse(text) as Record<string, any>;
  if (!response.ok) {
    const err = doc.ErrorResponse?.Error;
    throw new ExchangeError(err ? `${err.Code}: ${err.Message}` : `the STS endpoint answered ${response.status}`);
  }
  const c = doc.AssumeRoleWithWebIdentityResponse?.AssumeRoleWithWebIdentityResult?.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new ExchangeError('the STS endpoint answered without credentials');
  return { Version: 1, AccessKeyId: String(c.AccessKeyId), SecretAccessKey: String(c.SecretAccessKey), SessionToken: String(c.SessionToken), Expiration: String(c.Expiration) };
}

export const credsCommand = createCredsCommand();
