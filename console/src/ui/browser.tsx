/**
 * A folder of a bucket: ListObjectsV2 with a delimiter, a page at a time,
 * filtered by name; upload (files or a folder, with progress and resume),
 * new folder (a zero-byte `name/` object) and delete. The server decides what
 * is allowed: a refusal is shown with its S3 code and message.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Listing, S3Client } from '../s3/client.ts';
import { Upload, type UploadProgress } from '../s3/upload.ts';
import { text } from '../text.ts';
import { Icon } from './icons.tsx';
import { explain, Notice, type NoticeValue } from './notice.tsx';
import { href } from './route.ts';
import { Snippets } from './snippets-view.tsx';

function Breadcrumbs({ bucket, prefix }: { bucket: string; prefix: string }) {
  const parts = prefix.split('/').filter(Boolean);
  return (
    <nav aria-label={text.browser.breadcrumb} class="breadcrumbs">
      <a href={href({ view: 'buckets' })}>{text.nav.buckets}</a>
      <span aria-hidden="true"> / </span>
      <a href={href({ view: 'folder', bucket, prefix: '' })} aria-current={parts.length === 0 ? 'page' : undefined}>{bucket}</a>
      {parts.map((part, i) => (
        <span key={i}>
          <span aria-hidden="true"> / </span>
          <a href={href({ view: 'folder', bucket, prefix: `${parts.slice(0, i + 1).join('/')}/` })} aria-current={i === parts.length - 1 ? 'page' : undefined}>{part}</a>
        </span>
      ))}
    </nav>
  );
}

function UploadRow({ upload, progress }: { upload: Upload; progress: UploadProgress }) {
  const percent = progress.total === 0 ? 100 : Math.floor((progress.loaded / progress.total) * 100);
  return (
    <li class={`upload upload-${progress.state}`} data-state={progress.state}>
      <label>
        {text.upload.progress(progress.name, percent)}
        {progress.retrying ? ` — ${text.upload.retrying(progress.retrying)}` : ''}
        <progress max={progress.total || 1} value={progress.loaded} />
      </label>
      {progress.state === 'done' && <span class="hint">{text.upload.done(progress.name)}</span>}
      {progress.state === 'paused' && (
        <span>
          {text.upload.paused(progress.name)} <button type="button" onClick={() => void upload.resume()}>{text.upload.resume}</button>
        </span>
      )}
      {progress.state === 'failed' && progress.error && <Notice notice={explain(text.actions.upload, progress.error)} onDismiss={() => {}} />}
      {(progress.state === 'running' || progress.state === 'paused') && (
        <button type="button" class="link" onClick={() => void upload.abort()}>{text.upload.abort}</button>
      )}
    </li>
  );
}

export function FolderView({ client, bucket, prefix, region }: { client: S3Client; bucket: string; prefix: string; region: string }) {
  const [listing, setListing] = useState<Listing>();
  const [loading, setLoading] = useState(false);
  const [filter, setFilter] = useState('');
  const [notice, setNotice] = useState<NoticeValue>();
  const [uploads, setUploads] = useState<Array<{ upload: Upload; progress: UploadProgress }>>([]);
  const [newFolder, setNewFolder] = useState<string>();
  const generation = useRef(0);

  async function load(token?: string) {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const page = await client.list(bucket, prefix, token);
      if (mine !== generation.current) return;
      setListing((previous) => (token && previous ? { folders: [...previous.folders, ...page.folders], objects: [...previous.objects, ...page.objects], nextToken: page.nextToken } : page));
    } catch (error) {
      if (mine === generation.current) {
        setNotice(explain(text.actions.list, error));
        if (!token) setListing({ folders: [], objects: [] });
      }
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }

  useEffect(() => {
    setListing(undefined);
    setNotice(undefined);
    setFilter('');
    void load();
  }, [client, bucket, prefix]);

  function startUploads(files: FileList | null) {
    if (!files) return;
    for (const file of Array.from(files)) {
      // A folder's files keep their path below it.
      const relative = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
      const upload = new Upload(client, bucket, prefix + relative, file, (progress) => {
        setUploads((all) => all.map((entry) => (entry.upload === upload ? { upload, progress } : entry)));
        if (progress.state === 'done') void load();
      });
      setUploads((all) => [...all, { upload, progress: upload.progress }]);
      void upload.start();
    }
  }

  async function remove(key: string) {
    if (!confirm(text.browser.confirmDelete(key))) return;
    try {
      await client.delete(bucket, key);
      setNotice({ kind: 'info', message: text.browser.deleted(key) });
      void load();
    } catch (error) {
      setNotice(explain(text.actions.delete, error));
    }
  }

  async function createFolder(name: string) {
    const clean = name.trim().replace(/^\/+|\/+$/g, '');
    if (!clean) return;
    try {
      await client.putEmpty(bucket, `${prefix}${clean}/`);
      setNewFolder(undefined);
      setNotice({ kind: 'info', message: text.browser.created(clean) });
      void load();
    } catch (error) {
      setNotice(explain(text.actions.createFolder, error));
    }
  }

  const needle = filter.toLowerCase();
  const shown = (name: string) => needle === '' || name.toLowerCase().includes(needle);
  const folders = (listing?.folders ?? []).filter((folder) => shown(folder.slice(prefix.length)));
  // The folder's own marker object is not an entry of itself.
  const objects = (listing?.objects ?? []).filter((object) => object.key !== prefix && shown(object.key.slice(prefix.length)));

  return (
    <section aria-labelledby="folder-title">
      <Breadcrumbs bucket={bucket} prefix={prefix} />
      <h1 id="folder-title">{prefix ? prefix.split('/').filter(Boolean).pop() : bucket}</h1>
      {notice && <Notice notice={notice} onDismiss={() => setNotice(undefined)} />}
      <div class="toolbar">
        <label class="button">
          {text.browser.upload}
          <input type="file" multiple class="visually-hidden" data-testid="upload-files" onChange={(e) => startUploads((e.target as HTMLInputElement).files)} />
        </label>
        <label class="button">
          {text.browser.uploadFolder}
          <input type="file" class="visually-hidden" {...{ webkitdirectory: '' }} onChange={(e) => startUploads((e.target as HTMLInputElement).files)} />
        </label>
        <button type="button" onClick={() => setNewFolder('')}>{text.browser.newFolder}</button>
        <input type="search" class="filter" placeholder={text.browser.filter} aria-label={text.browser.filter} title={text.browser.filterHint} value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      </div>
      {newFolder !== undefined && (
        <form class="row" onSubmit={(e) => { e.preventDefault(); void createFolder(newFolder); }}>
          <label for="new-folder">{text.browser.folderName}</label>
          <input id="new-folder" value={newFolder} autoFocus onInput={(e) => setNewFolder((e.target as HTMLInputElement).value)} />
          <button type="submit">{text.browser.create}</button>
          <button type="button" class="link" onClick={() => setNewFolder(undefined)}>{text.browser.cancel}</button>
        </form>
      )}
      {uploads.length > 0 && <ul class="uploads">{uploads.map(({ upload, progress }) => <UploadRow key={progress.key} upload={upload} progress={progress} />)}</ul>}
      {listing === undefined ? (
        <p aria-busy="true">{text.loading}</p>
      ) : (
        <table class="listing">
          <thead>
            <tr><th scope="col">{text.browser.name}</th><th scope="col" class="num">{text.browser.size}</th><th scope="col" class="wide">{text.browser.modified}</th><th scope="col"><span class="visually-hidden">{text.browser.delete}</span></th></tr>
          </thead>
          <tbody>
            {folders.map((folder) => (
              <tr key={folder}>
                <td><a href={href({ view: 'folder', bucket, prefix: folder })}><Icon name="folder" /> {folder.slice(prefix.length)}</a></td>
                <td class="num">{text.browser.folder}</td><td class="wide" /><td />
              </tr>
            ))}
            {objects.map((object) => {
              const name = object.key.slice(prefix.length);
              return (
                <tr key={object.key}>
                  <td><a href={href({ view: 'object', bucket, key: object.key })}><Icon name="file" /> {name}</a></td>
                  <td class="num">{text.bytes(object.size)}</td>
                  <td class="wide">{object.lastModified ? text.dateTime(object.lastModified) : ''}</td>
                  <td><button type="button" class="link danger" aria-label={`${text.browser.delete} ${name}`} onClick={() => void remove(object.key)}>{text.browser.delete}</button></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {listing && folders.length === 0 && objects.length === 0 && <p>{filter ? text.browser.noMatch : text.browser.empty}</p>}
      {listing?.nextToken && <button type="button" disabled={loading} onClick={() => void load(listing.nextToken)}>{text.browser.loadMore}</button>}
      <Snippets region={region} bucket={bucket} path={prefix} />
    </section>
  );
}
