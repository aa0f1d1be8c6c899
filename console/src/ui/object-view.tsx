/**
 * One object: its details (HEAD), a preview of text, CSV, JSON and images
 * (the first bytes only, fetched with a signature), download through a
 * short-lived link, a share link and snippets.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ObjectHead, S3Client } from '../s3/client.ts';
import { text } from '../text.ts';
import { explain, Notice, type NoticeValue } from './notice.tsx';
import { href } from './route.ts';
import { ShareLink } from './share.tsx';
import { Snippets } from './snippets-view.tsx';

const PREVIEW_BYTES = 256 * 1024;
const IMAGE_BYTES = 10 * 1024 * 1024;
const CSV_ROWS = 50;

type Preview = { kind: 'text'; content: string; truncated: boolean } | { kind: 'csv'; rows: string[][] } | { kind: 'image'; url: string } | { kind: 'none' };

function kindOf(key: string, contentType: string): 'text' | 'csv' | 'json' | 'image' | undefined {
  const ext = key.toLowerCase().split('.').pop() ?? '';
  if (contentType.startsWith('image/') && ['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(contentType)) return 'image';
  if (['png', 'jpg', 'jpeg', 'gif', 'webp'].includes(ext)) return 'image';
  if (contentType.includes('csv') || ext === 'csv') return 'csv';
  if (contentType.includes('json') || ext === 'json' || ext === 'geojson') return 'json';
  if (contentType.startsWith('text/') || ['txt', 'md', 'log', 'yaml', 'yml', 'xml', 'tsv'].includes(ext)) return 'text';
  return undefined;
}

/** A small CSV reader for the preview: quoted fields, doubled quotes, newlines inside quotes. */
export function parseCsv(input: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < input.length && rows.length < maxRows; i++) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      row.push(field), rows.push(row), (row = []), (field = '');
    } else field += c;
  }
  if ((field !== '' || row.length > 0) && rows.length < maxRows) row.push(field), rows.push(row);
  return rows;
}

async function loadPreview(client: S3Client, bucket: string, key: string, head: ObjectHead): Promise<Preview> {
  const kind = kindOf(key, head.contentType);
  if (!kind || head.size === 0) return { kind: 'none' };
  if (kind === 'image') {
    if (head.size > IMAGE_BYTES) return { kind: 'none' };
    const blob = await client.getRange(bucket, key, head.size);
    return { kind: 'image', url: URL.createObjectURL(new Blob([blob], { type: head.contentType.startsWith('image/') ? head.contentType : 'image/png' })) };
  }
  const blob = await client.getRange(bucket, key, PREVIEW_BYTES);
  const content = await blob.text();
  const truncated = head.size > PREVIEW_BYTES;
  if (kind === 'csv') return { kind: 'csv', rows: parseCsv(content, CSV_ROWS) };
  if (kind === 'json' && !truncated) {
    try {
      return { kind: 'text', content: JSON.stringify(JSON.parse(content), null, 2), truncated };
    } catch {
      // Shown as it is.
    }
  }
  return { kind: 'text', content, truncated };
}

export function ObjectView({ client, bucket, objectKey, region, sessionEnds }: { client: S3Client; bucket: string; objectKey: string; region: string; sessionEnds?: Date }) {
  const [head, setHead] = useState<ObjectHead>();
  const [preview, setPreview] = useState<Preview>();
  const [notice, setNotice] = useState<NoticeValue>();
  const folder = objectKey.includes('/') ? objectKey.slice(0, objectKey.lastIndexOf('/') + 1) : '';
  const name = objectKey.slice(folder.length);

  useEffect(() => {
    let cancelled = false;
    let objectUrl: string | undefined;
    setHead(undefined);
    setPreview(undefined);
    setNotice(undefined);
    client.head(bucket, objectKey).then(
      async (details) => {
        if (cancelled) return;
        setHead(details);
        try {
          const loaded = await loadPreview(client, bucket, objectKey, details);
          if (loaded.kind === 'image') objectUrl = loaded.url;
          if (!cancelled) setPreview(loaded);
        } catch (error) {
          if (!cancelled) setNotice(explain(text.actions.get, error));
        }
      },
      (error: unknown) => !cancelled && setNotice(explain(text.actions.head, error)),
    );
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [client, bucket, objectKey]);

  async function download() {
    try {
      const url = await client.presignGet(bucket, objectKey, 60, `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.rel = 'noopener';
      link.click();
    } catch (error) {
      setNotice(explain(text.actions.get, error));
    }
  }

  return (
    <section aria-labelledby="object-title">
      <p><a href={href({ view: 'folder', bucket, prefix: folder })}>← {text.object.back}</a></p>
      <h1 id="object-title" class="break">{name}</h1>
      {notice && <Notice notice={notice} onDismiss={() => setNotice(undefined)} />}
      {head && (
        <>
          <section class="panel" aria-labelledby="details-title">
            <h2 id="details-title">{text.object.details}</h2>
            <dl class="details">
              <dt>{text.object.key}</dt><dd class="break">{objectKey}</dd>
              <dt>{text.object.size}</dt><dd data-testid="object-size">{text.bytes(head.size)} ({head.size.toLocaleString()} B)</dd>
              <dt>{text.object.type}</dt><dd>{head.contentType}</dd>
              <dt>{text.object.etag}</dt><dd class="break">{head.etag}</dd>
              {head.lastModified && (<><dt>{text.object.modified}</dt><dd>{text.dateTime(head.lastModified)}</dd></>)}
              <dt>{text.object.metadata}</dt>
              <dd>
                {Object.keys(head.metadata).length === 0 ? text.object.noMetadata : (
                  <ul>{Object.entries(head.metadata).map(([k, v]) => <li key={k}><code>{k}</code>: {v}</li>)}</ul>
                )}
              </dd>
            </dl>
            <button type="button" onClick={download}>{text.object.download}</button>
          </section>
          <section class="panel" aria-labelledby="preview-title">
            <h2 id="preview-title">{text.object.preview}</h2>
            {preview === undefined ? <p aria-busy="true">{text.loading}</p> : preview.kind === 'none' ? <p>{text.object.noPreview}</p> : preview.kind === 'image' ? (
              <img class="preview-image" src={preview.url} alt={name} />
            ) : preview.kind === 'csv' ? (
              <div class="scroll">
                <table class="csv">
                  <tbody>{preview.rows.map((row, i) => <tr key={i}>{row.map((cell, j) => (i === 0 ? <th key={j} scope="col">{cell}</th> : <td key={j}>{cell}</td>))}</tr>)}</tbody>
                </table>
                <p class="hint">{text.object.csvRows(preview.rows.length)}</p>
              </div>
            ) : (
              <>
                <pre class="preview-text" tabIndex={0}>{preview.content}</pre>
                {preview.truncated && <p class="hint">{text.object.previewTooLarge(text.bytes(PREVIEW_BYTES))}</p>}
              </>
            )}
          </section>
          <ShareLink client={client} bucket={bucket} objectKey={objectKey} sessionEnds={sessionEnds} />
        </>
      )}
      <Snippets region={region} bucket={bucket} path={objectKey} />
    </section>
  );
}
