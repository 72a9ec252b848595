// Garments: drag-and-drop upload with progress, live analysis status, cut-out with landmarks, category correction.
import { useState } from 'preact/hooks';
import { api, blobOf, message, sized, upload, type Garment, type Page } from '../lib/api.js';
import { Badge, DropZone, ErrorNote, Progress, go, pct, picks, usePoll } from '../ui.js';

interface Pending { name: string; progress: number; error?: string }
const CATEGORIES = ['top', 'bottom', 'dress'] as const;

export function LandmarkOverlay({ g }: { g: Garment }) {
  const a = g.analysis;
  if (!a?.landmarks || !a.width) return null;
  return (
    <svg class="overlay" viewBox={`0 0 ${a.width} ${a.height}`} preserveAspectRatio="xMidYMid meet" aria-label="Garment landmarks" role="img">
      {Object.entries(a.landmarks as Record<string, { x: number; y: number; score: number }>).map(([name, p]) => (
        <g key={name}>
          <circle cx={p.x} cy={p.y} r={Math.max(a.width, a.height) / 90} class="lm" />
          <title>{`${name.replace(/_/g, ' ')} · ${Math.round(p.score * 100)}%`}</title>
        </g>
      ))}
    </svg>
  );
}

export function Garments() {
  const [items, setItems] = useState<Garment[] | null>(null);
  const [pending, setPending] = useState<Pending[]>([]);
  const [category, setCategory] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  usePoll(async () => {
    const page = await api<Page<Garment>>('/v1/garments?limit=100');
    setItems(page.items);
    // Fast while something is being analysed, slow otherwise.
    return true;
  }, 1500, []);

  const onFiles = async (files: File[]) => {
    setError(null);
    for (const file of files) {
      const entry: Pending = { name: file.name, progress: 0 };
      setPending((p) => [...p, entry]);
      try {
        const g = await upload<Garment>('/v1/garments', file, { category, name: file.name.replace(/\.[^.]+$/, '') }, (f) => {
          entry.progress = f;
          setPending((p) => [...p]);
        });
        setItems((list) => [g, ...(list ?? []).filter((x) => x.id !== g.id)]);
        setSelected(g.id);
        setPending((p) => p.filter((x) => x !== entry));
      } catch (err) {
        entry.error = message(err);
        setPending((p) => [...p]);
      }
    }
  };

  const g = items?.find((x) => x.id === selected) ?? items?.[0] ?? null;

  const recategorize = async (to: string) => {
    if (!g || to === g.category) return;
    setError(null);
    try {
      // Analysis depends on the category: the same photo (stored once) is analysed again as the corrected one.
      const file = new File([await blobOf(g.urls.source)], `${g.name ?? g.id}.jpg`, { type: 'image/jpeg' });
      const fresh = await upload<Garment>('/v1/garments', file, { category: to, name: g.name ?? '', sku: g.sku ?? '' }, () => {});
      await api(`/v1/garments/${g.id}`, { method: 'DELETE' });
      setItems((list) => [fresh, ...(list ?? []).filter((x) => x.id !== g.id)]);
      setSelected(fresh.id);
    } catch (err) {
      setError(message(err));
    }
  };

  return (
    <section class="page" aria-labelledby="garments-h">
      <div class="page-head">
        <h1 id="garments-h">Garments</h1>
        <p class="muted">Upload flat-lay or ghost-mannequin photos. Each is cut out and its landmarks found in a few seconds.</p>
      </div>
      <div class="two-col">
        <div class="col-main">
          <div class="upload-row">
            <DropZone label="Upload garment photos" multiple onFiles={onFiles} testId="garment-drop" />
            <div class="field">
              <label for="g-cat">Category</label>
              <select id="g-cat" value={category} onChange={(e) => setCategory((e.target as HTMLSelectElement).value)}>
                <option value="">Detect automatically</option>
                {CATEGORIES.map((c) => <option value={c}>{c}</option>)}
              </select>
            </div>
          </div>
          {pending.map((p) => (
            <div class="pending" key={p.name}>
              <span>{p.name}</span>
              {p.error ? <span class="error">{p.error}</span> : <Progress value={p.progress} label={`Uploading ${p.name}`} />}
            </div>
          ))}
          <ErrorNote error={error} />
          {items && items.length === 0 && <p class="empty">No garments yet: drop a photo above.</p>}
          <ul class="grid grid-garments" aria-label="Garments">
            {items?.map((x) => (
              <li key={x.id}>
                <button class={`tile${g?.id === x.id ? ' selected' : ''}`} onClick={() => setSelected(x.id)} aria-pressed={g?.id === x.id} data-testid="garment-tile" data-status={x.status}>
                  <img src={sized(x.urls.source, 320)} alt="" loading="lazy" />
                  <span class="tile-caption"><span class="ellipsis">{x.name ?? x.id}</span><Badge status={x.status} /></span>
                </button>
              </li>
            ))}
          </ul>
        </div>
        {g && (
          <aside class="col-side card" aria-label="Garment details">
            <h2 class="ellipsis">{g.name ?? g.id}</h2>
            <div class="figure checker">
              <img src={sized(g.urls.source, 800)} alt={`Garment ${g.name ?? g.id}`} />
              {g.status === 'ready' && <LandmarkOverlay g={g} />}
            </div>
            <dl class="facts">
              <dt>Status</dt><dd><Badge status={g.status} /> {g.status === 'processing' || g.status === 'queued' ? 'analysing…' : ''}</dd>
              <dt>Category</dt>
              <dd>
                <label class="visually-hidden" for="g-fix">Correct the category</label>
                <select id="g-fix" value={g.category ?? ''} disabled={g.status !== 'ready' && g.status !== 'failed'} onChange={(e) => recategorize((e.target as HTMLSelectElement).value)}>
                  {!g.category && <option value="">unknown</option>}
                  {CATEGORIES.map((c) => <option value={c}>{c}</option>)}
                </select>
                {g.analysis?.category_source && <small class="muted"> {g.analysis.category_source} · {pct(g.analysis.category_confidence)}</small>}
              </dd>
              <dt>Cut-out</dt><dd>{g.analysis?.cutout ? `${g.analysis.cutout.source} · ${pct(g.analysis.cutout.confidence)}` : '–'}</dd>
              <dt>Landmarks</dt><dd>{g.analysis?.landmarks ? Object.keys(g.analysis.landmarks).length : '–'}</dd>
              <dt>Size</dt><dd>{g.width}×{g.height}</dd>
            </dl>
            {g.error && <p class="error" role="alert">{g.error.detail}</p>}
            <button class="primary" disabled={g.status !== 'ready'} onClick={() => (picks.garment = g.id, go('tryon'))}>Try it on models →</button>
          </aside>
        )}
      </div>
    </section>
  );
}
