/** The bucket list (ListBuckets); anonymous visitors may open a public bucket by name. */
import { useEffect, useState } from 'preact/hooks';
import type { S3Client } from '../s3/client.ts';
import { text } from '../text.ts';
import { Icon } from './icons.tsx';
import { explain, Notice, type NoticeValue } from './notice.tsx';
import { href } from './route.ts';

export function Buckets({ client }: { client: S3Client }) {
  const [buckets, setBuckets] = useState<string[]>();
  const [notice, setNotice] = useState<NoticeValue>();
  const [name, setName] = useState('');

  useEffect(() => {
    setBuckets(undefined);
    setNotice(undefined);
    client.listBuckets().then(setBuckets, (error: unknown) => {
      setBuckets([]);
      if (client.signedIn) setNotice(explain(text.actions.listBuckets, error));
    });
  }, [client]);

  return (
    <section aria-labelledby="buckets-title">
      <h1 id="buckets-title">{text.buckets.title}</h1>
      {notice && <Notice notice={notice} onDismiss={() => setNotice(undefined)} />}
      {buckets === undefined ? (
        <p aria-busy="true">{text.loading}</p>
      ) : buckets.length === 0 ? (
        <p>{text.buckets.empty}</p>
      ) : (
        <ul class="entries" aria-label={text.buckets.title}>
          {buckets.map((bucket) => (
            <li key={bucket}>
              <a href={href({ view: 'folder', bucket, prefix: '' })}><Icon name="bucket" /> {bucket}</a>
            </li>
          ))}
        </ul>
      )}
      {!client.signedIn && (
        <form
          class="row open-bucket"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) location.hash = href({ view: 'folder', bucket: name.trim(), prefix: '' });
          }}
        >
          <p class="hint">{text.buckets.anonymousHint}</p>
          <label for="open-bucket">{text.buckets.openByName}</label>
          <input id="open-bucket" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <button type="submit">{text.buckets.open}</button>
        </form>
      )}
    </section>
  );
}
