/** Short-lived session credentials, as `/.sts` issues them. Held in memory only. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}
