// Model library: grid with tags and a tag filter, upload with tags, and each model's suitability verdict with its reasons.
import { useState } from 'preact/hooks';
import { api, message, sized, upload, type Model, type Page } from '../lib/api.js';
import { Badge, DropZone, ErrorNote, Progress, pct, usePoll } from '../ui.js';

export function Verdict({ m }: { m: Model }) {
  const v = m.analysis?.suitability as { suitable: boolean; score: number; reasons: string[] } | undefined;
  if (m.status === 'failed') return <p class="verdict bad">{m.error?.detail ?? 'Analysis failed.'}</p>;
  if (!v) return <p class="verdict muted">{m.status === 'ready' ? 'No verdict' : 'Analysing…'}</p>;
  return (
    <div class={`verdict ${v.suitable ? 'good' : 'bad'}`}>
      <strong>{v.suitable ? 'Suitable' : 'Not suitable'}</strong> <span class="muted">· {pct(v.score)}</span>
      {v.reasons.length > 0 && <ul>{v.reasons.map((r) => <li>{r}</li>)}</ul>}
    </div>
  );
}

export function Models() {
  const [items, setItems] = useState<Model[] | null>(null);
  const [filter, setFilter] = useState('');
  const [tags, setTags] = useState('');
  const [progress, setProgress] = useState<{ name: string; value: number; error?: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const query = filter.split(/[\s,]+/).filter(Boolean).join(',');

  usePoll(async () => {
    try {
      const page = await api<Page<Model>>(`/v1/models?limit=100${query ? `&tags=${encodeURIComponent(query)}` : ''}`);
      setItems(page.items);
      setError(null);
    } catch (err) {
      setError(message(err));
    }
  }, 2000, [query]);

  const onFiles = async (files: File[]) => {
    for (const file of files) {
      const row = { name: file.name, value: 0 } as { name: string; value: number; error?: string };
      setProgress((p) => [...p, row]);
      try {
        const m = await upload<Model>('/v1/models', file, { name: file.name.replace(/\.[^.]+$/, ''), tags: tags.split(/[\s,]+/).filter(Boolean).join(',') }, (f) => {
          row.value = f;
          setProgress((p) => [...p]);
        });
        setItems((list) => [m, ...(list ?? []).filter((x) => x.id !== m.id)]);
        setProgress((p) => p.filter((x) => x !== row));
      } catch (err) {
        row.error = message(err);
        setProgress((p) => [...p]);
      }
    }
  };

  const allTags = [...new Set((items ?? []).flatMap((m) => m.tags))].sort();
  const toggleTag = (t: string) => {
    const set = new Set(query.split(',').filter(Boolean));
    set.has(t) ? set.delete(t) : set.add(t);
    setFilter([...set].join(', '));
  };

  return (
    <section class="page" aria-labelledby="models-h">
      <div class="page-head">
        <h1 id="models-h">Model library</h1>
        <p class="muted">Frontal photos with arms clear of the torso give the best try-ons; each photo is checked when it is uploaded.</p>
      </div>
      <div class="upload-row">
        <DropZone label="Upload model photos" multiple onFiles={onFiles} testId="model-drop" />
        <div class="field">
          <label for="m-tags">Tags for new uploads</label>
          <input id="m-tags" placeholder="gender:female, pose:frontal" value={tags} onInput={(e) => setTags((e.target as HTMLInputElement).value)} />
        </div>
      </div>
      {progress.map((p) => (
        <div class="pending" key={p.name}><span>{p.name}</span>{p.error ? <span class="error">{p.error}</span> : <Progress value={p.value} label={`Uploading ${p.name}`} />}</div>
      ))}
      <div class="filters" role="search">
        <label for="m-filter">Filter by tags</label>
        <input id="m-filter" placeholder="all models" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <div class="chips" aria-label="Tags">
          {allTags.map((t) => <button class={`chip${query.split(',').includes(t) ? ' on' : ''}`} aria-pressed={query.split(',').includes(t)} onClick={() => toggleTag(t)}>{t}</button>)}
        </div>
      </div>
      <ErrorNote error={error} />
      {items && items.length === 0 && <p class="empty">{query ? 'No model carries all of these tags.' : 'No models yet: drop photos above.'}</p>}
      <ul class="grid grid-models" aria-label="Models">
        {items?.map((m) => (
          <li class="card model-card" key={m.id} data-testid="model-card" data-status={m.status}>
            <img src={sized(m.urls.source, 360)} alt={`Model ${m.name ?? m.id}`} loading="lazy" />
            <div class="model-body">
              <div class="row-between"><strong class="ellipsis">{m.name ?? m.id}</strong><Badge status={m.status} /></div>
              <div class="chips chips-sm">{m.tags.map((t) => <span class="chip static">{t}</span>)}</div>
              <Verdict m={m} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
