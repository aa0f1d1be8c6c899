/**
 * The `issuer` section of the configuration: Sluice as an OIDC issuer.
 *
 * ```yaml
 * issuer:
 *   url: https://sluice.example.com       # `iss` of every token; discovery lives under it
 *   keys:                                  # PKCS#8 PEM private keys; the first signs
 *     - privateKey: ${env:SLUICE_ISSUER_KEY}
 *     - privateKey: ${env:SLUICE_ISSUER_KEY_PREVIOUS}   # still published during a rotation
 *   jwksMaxAgeSeconds: 300
 * ```
 *
 * Without `keys`, the keys come from the policy store (`sluice issuer keys
 * generate | rotate | list`).
 */
import { z } from 'zod';
import { ISSUER_ALGORITHMS } from './issuer-keys.ts';

function issuerUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL (http only for local testing)';
  if (url.search || url.hash || url.username || url.password) return 'must not have a query, fragment or credentials';
  // Discovery is served at the host's root; an issuer with a path would point relying parties elsewhere.
  if (url.pathname !== '/' && url.pathname !== '') return 'must not have a path: discovery is served at {url}/.well-known/openid-configuration';
  return undefined;
}

export const issuerKeySchema = z.strictObject({
  /** PKCS#8 PEM private key, usually `${env:…}`. */
  privateKey: z.string().min(1, { error: 'privateKey must not be empty' }),
  /** Checked against the key when given; otherwise read from it. */
  alg: z.enum(ISSUER_ALGORITHMS).optional(),
});

export const issuerSchema = z.strictObject({
  url: z.string().superRefine((value, ctx) => {
    const problem = issuerUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }).transform((value) => value.replace(/\/+$/, '')),
  /** The first key signs; the others are published (the previous key during a rotation). Absent: the policy store's keys. */
  keys: z.array(issuerKeySchema).min(1, { error: 'list at least one key, or leave the field out to use the policy store' }).optional(),
  /** `Cache-Control: max-age` of the discovery document and key set. */
  jwksMaxAgeSeconds: z.number().int().min(0).max(86_400).default(300),
});

export type IssuerConfig = z.output<typeof issuerSchema>;
