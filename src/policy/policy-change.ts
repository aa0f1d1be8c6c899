/**
 * Change notifications of a policy store: what changed, so caches in front
 * of it (this process's and a shared one) drop exactly the affected entries
 * instead of waiting for their TTL. `all` means "anything may have changed"
 * (the feed lost its connection and may have missed notifications).
 */

export type PolicyChange =
  | { kind: 'access-key'; accessKeyId: string }
  | { kind: 'grants'; account: string }
  | { kind: 'buckets' }
  | { kind: 'role'; account: string; name: string }
  | { kind: 'session-revocations' }
  | { kind: 'session-keys' }
  | { kind: 'api-key'; jti: string }
  | { kind: 'identity-providers'; account: string }
  | { kind: 'all' };

export type PolicyChangeListener = (change: PolicyChange) => void;

/** A store that announces changes, made by any process, as they commit. */
export interface PolicyChangeFeed {
  /** Returns the function that stops the subscription. */
  onChange(listener: PolicyChangeListener): () => void;
}

export function hasChangeFeed(store: object): store is PolicyChangeFeed {
  return typeof (store as Partial<PolicyChangeFeed>).onChange === 'function';
}

/** Reads a notification payload; unknown or malformed ones become `all`, which is always safe. */
export function parsePolicyChange(payload: string | undefined): PolicyChange {
  try {
    const value = JSON.parse(payload ?? '') as Record<string, unknown>;
    if (value.kind === 'access-key' && typeof value.accessKeyId === 'string') return { kind: 'access-key', accessKeyId: value.accessKeyId };
    if (value.kind === 'grants' && typeof value.account === 'string') return { kind: 'grants', account: value.account };
    if (value.kind === 'buckets') return { kind: 'buckets' };
    if (value.kind === 'role' && typeof value.account === 'string' && typeof value.name === 'string') return { kind: 'role', account: value.account, name: value.name };
    if (value.kind === 'session-revocations') return { kind: 'session-revocations' };
    if (value.kind === 'session-keys') return { kind: 'session-keys' };
    if (value.kind === 'api-key' && typeof value.jti === 'string') return { kind: 'api-key', jti: value.jti };
    if (value.kind === 'identity-providers' && typeof value.account === 'string') return { kind: 'identity-providers', account: value.account };
  } catch {
    // fall through
  }
  return { kind: 'all' };
}

/** A set of listeners, each called in turn; one that throws does not stop the others. */
export class ChangeListeners implements PolicyChangeFeed {
  private readonly listeners = new Set<PolicyChangeListener>();

  onChange(listener: PolicyChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: PolicyChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A cache's failure to drop entries must not keep others from dropping theirs.
      }
    }
  }
}
