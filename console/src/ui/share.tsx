/**
 * Share links: a presigned GET URL for a chosen lifetime, never past the end
 * of the session that signs it, with a copy button and a QR code. Public
 * buckets viewed anonymously get the plain URL.
 */
import { useMemo, useState } from 'preact/hooks';
import { qrPath } from '../qr.ts';
import type { S3Client } from '../s3/client.ts';
import { text } from '../text.ts';
import { explain, Notice, type NoticeValue } from './notice.tsx';

const LIFETIMES = [300, 3600, 21600, 86400, 604800];

export function QrCode({ value }: { value: string }) {
  const { size, d } = useMemo(() => qrPath(value), [value]);
  return (
    <svg class="qr" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={text.share.qr} shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

export function ShareLink({ client, bucket, objectKey, sessionEnds }: { client: S3Client; bucket: string; objectKey: string; sessionEnds?: Date }) {
  const [lifetime, setLifetime] = useState(3600);
  const [link, setLink] = useState<{ url: string; expires?: Date; capped: boolean }>();
  const [notice, setNotice] = useState<NoticeValue>();

  async function make() {
    setNotice(undefined);
    try {
      if (!sessionEnds) {
        setLink({ url: await client.presignGet(bucket, objectKey, lifetime), capped: false });
        return;
      }
      const remaining = Math.floor((sessionEnds.getTime() - Date.now()) / 1000);
      const seconds = Math.max(1, Math.min(lifetime, remaining));
      const url = await client.presignGet(bucket, objectKey, seconds);
      setLink({ url, expires: new Date(Date.now() + seconds * 1000), capped: seconds < lifetime });
    } catch (error) {
      setNotice(explain(text.actions.share, error));
    }
  }

  async function copy() {
    if (!link) return;
    await navigator.clipboard.writeText(link.url).then(
      () => setNotice({ kind: 'info', message: text.share.copied }),
      (error: unknown) => setNotice(explain(text.share.copy, error)),
    );
  }

  return (
    <section class="panel" aria-labelledby="share-title">
      <h2 id="share-title">{text.share.title}</h2>
      {sessionEnds ? (
        <div class="row">
          <label for="share-lifetime">{text.share.lifetime}</label>
          <select id="share-lifetime" value={String(lifetime)} onChange={(e) => setLifetime(Number((e.target as HTMLSelectElement).value))}>
            {LIFETIMES.map((seconds) => <option value={String(seconds)}>{text.share.lifetimes[String(seconds)]}</option>)}
          </select>
          <button type="button" onClick={make}>{text.share.make}</button>
        </div>
      ) : (
        <div class="row"><button type="button" onClick={make}>{text.share.make}</button></div>
      )}
      {notice && <Notice notice={notice} onDismiss={() => setNotice(undefined)} />}
      {link && (
        <div class="share-result">
          <div class="row">
            <input class="share-url" type="text" readOnly value={link.url} aria-label={text.share.title} onFocus={(e) => (e.target as HTMLInputElement).select()} />
            <button type="button" onClick={copy}>{text.share.copy}</button>
          </div>
          <p class="hint">{link.expires ? text.share.expires(text.dateTime(link.expires)) : text.share.publicNote}</p>
          {link.capped && <p class="hint">{text.share.capped}</p>}
          <QrCode value={link.url} />
        </div>
      )}
    </section>
  );
}
