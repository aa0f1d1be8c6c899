/**
 * A test Worker that exercises each package the core bundles, inside
 * workerd, and answers what each produced as JSON for
 * `dependencies.test.ts` to check against known answers.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

async function results(): Promise<Record<string, unknown>> {
  const abc = new TextEncoder().encode('abc');
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
  const token = await new SignJWT({ role: 'reader' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer('https://issuer.test').setAudience('sluice').setExpirationTime('5m').sign(privateKey);
  const verified = await jwtVerify(token, createLocalJWKSet({ keys: [jwk] }), { issuer: 'https://issuer.test', audience: 'sluice' });
  const tampered = await jwtVerify(`${token.slice(0, -4)}AAAA`, createLocalJWKSet({ keys: [jwk] })).then(() => 'accepted', (error: { code?: string }) => error.code);
  const xml = '<ListBucketResult><Name>b</Name><Contents><Key>a&amp;b</Key><Size>3</Size></Contents></ListBucketResult>';
  const schema = z.strictObject({ name: z.string(), size: z.number().int() });
  return {
    md5: bytesToHex(md5(abc)),
    sha1: bytesToHex(sha1(abc)),
    sha256: bytesToHex(sha256(abc)),
    xmlValid: XMLValidator.validate(xml) === true,
    xmlKey: new XMLParser({ parseTagValue: false }).parse(xml).ListBucketResult.Contents.Key,
    yaml: parseYaml('buckets:\n  open-data: { public: true }\n'),
    zodOk: schema.safeParse({ name: 'x', size: 3 }).success,
    zodRefusesUnknown: schema.safeParse({ name: 'x', size: 3, extra: 1 }).success,
    joseClaims: { role: verified.payload.role, iss: verified.payload.iss },
    joseTampered: tampered,
  };
}

export default {
  async fetch(): Promise<Response> {
    try {
      return Response.json(await results());
    } catch (error) {
      return new Response(String((error as Error)?.stack ?? error), { status: 500 });
    }
  },
};
