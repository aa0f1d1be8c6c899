/**
 * The `admin` section of the configuration: who operates the management API.
 *
 * ```yaml
 * admin:
 *   operators: [ops]     # these accounts manage every account, not only their own
 * ```
 *
 * Without it (or with no operators) every caller manages its own account only.
 */
import { z } from 'zod';

export const adminSchema = z.strictObject({
  operators: z.array(z.string().min(1, { error: 'an operator account must not be empty' })).max(100).default(() => []),
});

export type AdminConfig = z.output<typeof adminSchema>;
