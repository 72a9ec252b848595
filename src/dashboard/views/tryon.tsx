// Try-on: pick a garment and models (or a tag), start a batch, and watch each render fill in live over SSE.
import { useEffect, useState } from 'preact/hooks';
import { api, message, sized, stream, type Batch, type Garment, type Model, type Page, type Render } from '../lib/api.js';
import { Badge, ErrorNote, Progress, go, pct, picks } from '../ui.js';

const RECENT = 'tryon.recentBatches';
export const recentBatches = (): string[] => JSON.parse(sessionStorage.getItem(RECENT) ?? '[]');
const remember = (id: string) => sessionStorage.setItem(RECENT, JSON.stringify([id, ...recentBatches().filter((x) => x !== id)].slice(0, 20)));

export function useModels(): Map<string, Model> {
  const [models, setModels] = useState(new Map<string, Model>());
  useEffect(() => {
    api<Page<Model>>('/v1/models?limit=100').then((p) => setModels(new Map(p.items.map((m) => [m.id, m]))), () => {});
  }, []);
  return models;
}

export function QualityDetails({ r, open }: { r: Render; open?: boolean }) {
  const q = r.quality;
  if (!q) return null;
  const rows: [string, unknown][] = [
    ['Overall', q.score], ['Pose', q.pose_confidence], ['Cut-out', q.cutout_confidence], ['Landmarks', q.landmark_confidence],
    ['Old clothing showing', q.old_clothing_uncovered], ['Filled in', q.inpainted_share], ['Synthesised skin', q.synthesised_skin], ['Hidden by arms', q.arm_overlap], ['Out of frame', q.out_of_frame], ['Lengthened', q.lengthened],
  ];
  return (
    <details class="quality" open={open}>
      <summary>Quality {pct(q.score)}{r.needs_review ? ' · needs review' : ''}</summary>
      <dl class="facts compact">{rows.map(([k, v]) => <><dt>{k}</dt><dd>{pct(v)}</dd></>)}</dl>
      {Array.isArray(q.reasons) && q.reasons.length > 0 && <ul class="reasons">{(q.reasons as string[]).map((x) => <li>{x}</li>)}</ul>}
    </details>
  );
}

function Picker() {
  const [garments, setGarments] = useState<Garment[]>([]);
  const [models, setModels] = useState<Model[]>([]);
  const [garment, setGarment] = useState<string>(picks.garment ?? '');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [mode, setMode] = useState<'pick' | 'tag'>('pick');
  const [tag, setTag] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<Page<Garment>>('/v1/garments?limit=100&status=ready').then((p) => { setGarments(p.items); if (!garment && p.items[0]) setGarment(p.items[0].id); }, (e) => setError(message(e)));
    api<Page<Model>>('/v1/models?limit=100&status=ready').then((p) => setModels(p.items), (e) => setError(message(e)));
  }, []);
  const toggle = (id: string) => setChosen((s) => { const n = new Set(s); n.has(id) ? n.delete(id) : n.add(id); return n; });
  const tags = [...new Set(models.flatMap((m) => m.tags))].sort();
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = mode === 'pick' ? { garment_id: garment, model_ids: [...chosen] } : { garment_id: garment, model_tags: tag.split(/[\s,]+/).filter(Boolean) };
      const b = await api<Batch>('/v1/tryons', { method: 'POST', body });
      remember(b.id);
      go(`tryon/${b.id}`);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const g = garments.find((x) => x.id === garment);
  const ready = garment && (mode === 'pick' ? chosen.size > 0 : tag.trim());
  return (
    <section class="page" aria-labelledby="tryon-h">
      <div class="page-head"><h1 id="tryon-h">New try-on</h1><p class="muted">One garment on many models: each render arrives as soon as it is ready.</p></div>
      <div class="two-col">
        <div class="col-main">
          <fieldset class="card">
            <legend>1 · Garment</legend>
            <ul class="grid grid-pick" aria-label="Ready garments">
              {garments.map((x) => (
                <li><label class={`pick${garment === x.id ? ' selected' : ''}`}>
                  <input type="radio" name="garment" value={x.id} checked={garment === x.id} onChange={() => setGarment(x.id)} class="visually-hidden" />
                  <img src={sized(x.urls.source, 240)} alt="" /><span class="ellipsis">{x.name ?? x.id}</span>
                </label></li>
              ))}
            </ul>
            {garments.length === 0 && <p class="empty">No ready garment yet. <a href="#/garments">Upload one</a>.</p>}
          </fieldset>
          <fieldset class="card">
            <legend>2 · Models</legend>
            <div class="segmented" role="radiogroup" aria-label="Choose models by">
              <label><input type="radio" name="mode" checked={mode === 'pick'} onChange={() => setMode('pick')} /> Pick models</label>
              <label><input type="radio" name="mode" checked={mode === 'tag'} onChange={() => setMode('tag')} /> Every model with tags</label>
            </div>
            {mode === 'pick' ? (
              <>
                <div class="row-between"><span class="muted">{chosen.size} selected</span>
                  <button class="link" onClick={() => setChosen(chosen.size === models.length ? new Set() : new Set(models.map((m) => m.id)))}>{chosen.size === models.length ? 'Select none' : 'Select all'}</button></div>
                <ul class="grid grid-pick" aria-label="Ready models">
                  {models.map((m) => (
                    <li><label class={`pick${chosen.has(m.id) ? ' selected' : ''}`} data-testid="model-pick">
                      <input type="checkbox" checked={chosen.has(m.id)} onChange={() => toggle(m.id)} class="visually-hidden" />
                      <img src={sized(m.urls.source, 240)} alt="" /><span class="ellipsis">{m.name ?? m.id}</span>
                    </label></li>
                  ))}
                </ul>
              </>
            ) : (
              <div class="field">
                <label for="t-tag">Tags (all must match)</label>
                <input id="t-tag" list="t-tags" value={tag} placeholder="pose:frontal" onInput={(e) => setTag((e.target as HTMLInputElement).value)} />
                <datalist id="t-tags">{tags.map((t) => <option value={t} />)}</datalist>
              </div>
            )}
          </fieldset>
        </div>
        <aside class="col-side card">
          <h2>Summary</h2>
          {g && <img class="summary-img" src={sized(g.urls.source, 400)} alt={`Garment ${g.name ?? g.id}`} />}
          <p>{g ? g.name ?? g.id : 'No garment'} on {mode === 'pick' ? `${chosen.size} model${chosen.size === 1 ? '' : 's'}` : `models tagged ${tag || '…'}`}</p>
          <ErrorNote error={error} />
          <button class="primary wide" disabled={!ready || busy} onClick={start}>{busy ? 'Starting…' : 'Start try-on'}</button>
          {recentBatches().length > 0 && (<><h3>Recent batches</h3><ul class="plain">{recentBatches().map((id) => <li><a href={`#/tryon/${id}`}>{id}</a></li>)}</ul></>)}
        </aside>
      </div>
    </section>
  );
}

/** Applies one live event to the batch (the records stay the truth: a succeeded render is re-read for its URLs). */
function apply(b: Batch, e: { type: string; data: any }): Batch {
  const d = e.data;
  const renders = b.renders.map((r) => {
    if (r.id !== d.render_id) return r;
    if (e.type === 'queued') return { ...r, status: 'queued' as const, stage: null, progress: 0, urls: { result: null } };
    if (e.type === 'progress') return { ...r, status: 'processing' as const, stage: d.stage, progress: d.progress };
    if (e.type === 'failed') return { ...r, status: 'failed' as const, error: { detail: d.reason, code: d.code } };
    if (e.type === 'canceled') return { ...r, status: 'canceled' as const };
    return r;
  });
  return { ...b, renders };
}

export function Watch({ batchId }: { batchId: string }) {
  const [batch, setBatch] = useState<Batch | null>(null);
  const [error, setError] = useState<string | null>(null);
  const models = useModels();
  useEffect(() => {
    remember(batchId);
    const refresh = (id: string) => api<Render>(`/v1/renders/${id}`).then((r) => setBatch((b) => b && { ...b, renders: b.renders.map((x) => (x.id === r.id ? r : x)) }));
    const stop = stream(`/v1/tryons/${batchId}/events`, (e) => {
      if (e.type === 'snapshot') setBatch(e.data);
      else if (e.type === 'batch.completed') setBatch((b) => b && { ...b, status: 'completed', counts: e.data.counts });
      else {
        setBatch((b) => b && apply(b, e));
        if (e.type === 'succeeded' || e.type === 'failed') void refresh(e.data.render_id);
      }
    }, (err) => { if (err) setError(message(err)); });
    return stop;
  }, [batchId]);
  if (!batch) return <section class="page"><ErrorNote error={error} /><p class="muted">Loading batch…</p></section>;
  const done = batch.renders.filter((r) => ['succeeded', 'failed', 'canceled'].includes(r.status)).length;
  return (
    <section class="page" aria-labelledby="watch-h">
      <div class="page-head row-between">
        <div><h1 id="watch-h">Try-on <span class="muted mono">{batch.id}</span></h1>
          <p class="muted" aria-live="polite" data-testid="batch-status">{batch.status === 'completed' ? 'Completed' : 'Rendering'} · {done} of {batch.renders.length} done</p></div>
        <div class="actions"><a class="button" href="#/tryon">New try-on</a><a class="button primary" href={`#/compare/${batch.id}`}>Compare results</a></div>
      </div>
      <Progress value={batch.renders.length ? done / batch.renders.length : 0} label="Batch progress" />
      <ErrorNote error={error} />
      <ul class="grid grid-renders" aria-label="Renders">
        {batch.renders.map((r) => {
          const m = models.get(r.model_id);
          return (
            <li class="card render-card" key={r.id} data-testid="render-card" data-status={r.status}>
              <div class="figure">
                {r.status === 'succeeded' && r.urls.result
                  ? <img key={r.urls.result} src={sized(r.urls.result, 480)} alt={`Render on ${m?.name ?? r.model_id}`} />
                  : <img key="pending" class="dim" src={m ? sized(m.urls.source, 480) : ''} alt="" />}
                {r.status !== 'succeeded' && r.status !== 'failed' && <div class="stage-chip">{r.stage ?? r.status}</div>}
              </div>
              <div class="render-body">
                <div class="render-meta"><strong class="ellipsis">{m?.name ?? r.model_id}</strong>
                  <span class="badges"><Badge status={r.status} />{r.needs_review && <Badge status="review">needs review</Badge>}{r.stage && r.status === 'processing' && <span class="muted">{r.stage}</span>}</span></div>
                {(r.status === 'processing' || r.status === 'queued' || r.status === 'waiting') && <Progress value={r.progress} label={`Render on ${m?.name ?? r.model_id}`} />}
                {r.status === 'failed' && <p class="error">{r.error?.detail ?? 'Failed'}</p>}
                <QualityDetails r={r} />
                {r.status === 'succeeded' && <a class="button small" href={`#/adjust/${r.id}`}>Adjust</a>}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function Tryon({ batchId }: { batchId?: string }) {
  return batchId ? <Watch batchId={batchId} /> : <Picker />;
}
