/** The snippets for the object or prefix in view, each with a copy button. */
import { snippets } from '../snippets.ts';
import { text } from '../text.ts';

export function Snippets({ region, bucket, path }: { region: string; bucket: string; path: string }) {
  const list = snippets({ endpoint: location.origin, region, bucket, path });
  return (
    <section class="panel" aria-labelledby="snippets-title">
      <h2 id="snippets-title">{text.snippets.title}</h2>
      <p class="hint">{text.snippets.hint}</p>
      {list.map((snippet) => (
        <details key={snippet.id} class="snippet">
          <summary>{snippet.label}</summary>
          <pre><code>{snippet.code}</code></pre>
          <button type="button" onClick={() => void navigator.clipboard.writeText(snippet.code).catch(() => {})}>{text.snippets.copy}</button>
        </details>
      ))}
    </section>
  );
}
