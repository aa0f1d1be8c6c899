/**
 * The policy API's documents (docs/policy-api.md), checked before anything
 * is believed: a product with its data connection, an account's products,
 * memberships and permissions. A document of the wrong shape is a failure of
 * the API, never an empty answer.
 */
import { z } from 'zod';
import type { BucketConfig } from '../../core/config.ts';
import type { PermissionStatement } from '../../core/identity.ts';

const name = z.string().min(1).max(255);

const productSchema = z.object({
  account: name,
  name,
  visibility: z.enum(['public', 'restricted']),
  readOnly: z.boolean().default(false),
  dataConnection: z.object({
    /** A connection of Sluice's configuration. */
    id: name,
    prefix: z.string().default(''),
    region: z.string().min(1).optional(),
  }),
});

export const productDocument = productSchema;
export const productListDocument = z.object({ products: z.array(productSchema) });

export const MEMBERSHIP_ROLES = ['owner', 'maintainer', 'member'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];
export const membershipsDocument = z.object({
  memberships: z.array(z.object({ account: name, role: z.enum(MEMBERSHIP_ROLES) })),
});

export const permissionsDocument = z.object({
  grants: z.array(z.object({
    bucket: name,
    actions: z.array(z.enum(['read', 'write'])).min(1),
    prefixes: z.array(z.string()).optional(),
  })),
});

export function productToBucket(product: z.output<typeof productSchema>): BucketConfig {
  return {
    name: product.name,
    account: product.account,
    connection: product.dataConnection.id,
    prefix: product.dataConnection.prefix,
    public: product.visibility === 'public',
    readOnly: product.readOnly,
    ...(product.dataConnection.region !== undefined && { region: product.dataConnection.region }),
  };
}

/** What a membership lets its holder do on every product of the account it belongs to. */
export function membershipStatements(org: string, role: MembershipRole, products: readonly BucketConfig[]): PermissionStatement[] {
  const actions: PermissionStatement['actions'] = role === 'member' ? ['read'] : ['read', 'write'];
  return products.map((product) => ({ bucket: `${org}/${product.name}`, actions }));
}
