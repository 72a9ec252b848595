// Compare: a batch's results side by side, a before/after slider over the model photo, 100% zoom, and downloads (JPEG, zip).
import { useEffect, useState } from 'preact/hooks';
import { api, blobOf, message, saveBlob, sized, type Batch, type Render } from '../lib/api.js';
import { zipStore } from '../lib/zip.js';
import { Badge, ErrorNote, go } from '../ui.js';
import { QualityDetails, recentBatches, useModels } from './tryon.js';

export function BeforeAfter({ before, after, label }: { before: string; after: string; label: string }) {
  const [split, setSplit] = useState(50);
  return (
    <div class="ba">
      <div class="ba-stage">
        <img src={before} alt={`${label}: original photo`} />
        <img class="ba-after" src={after} alt={`${label}: try-on`} style={{ clipPath: `inset(0 0 0 ${split}%)` }} data-testid="ba-after" />
        <div class="ba-line" style={{ left: `${split}%` }} aria-hidden="true" />
      </div>
      <label class="ba-range"><span>Original</span>
        <input type="range" min={0} max={100} value={split} aria-label="Before / after split" onInput={(e) => setSplit(Number((e.target as HTMLInputElement).value))} />
        <span>Try-on</span></label>
    </div>
  );
}

export function Compare({ batchId }: { batchId?: string }) {
  const [batch, setBatch] = useState<Batch | null>(null);
  const [focus, setFocus] = useState<string | null>(null);
  const [zoom, setZoom] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const models = useModels();
  useEffect(() => {
    if (batchId) api<Batch>(`/v1/tryons/${batchId}`).then(setBatch, (e) => setError(message(e)));
  }, [batchId]);
  if (!batchId) {
    const recent = recentBatches();
    return (
      <section class="page"><div class="page-head"><h1>Compare</h1><p class="muted">Choose a batch of this session.</p></div>
        {recent.length ? <ul class="plain">{recent.map((id) => <li><a href={`#/compare/${id}`}>{id}</a></li>)}</ul> : <p class="empty">No batch yet: <a href="#/tryon">start a try-on</a>.</p>}
      </section>
    );
  }
  if (!batch) return <section class="page"><ErrorNote error={error} /><p class="muted">Loading…</p></section>;
  const done = batch.renders.filter((r) => r.status === 'succeeded' && r.urls.result);
  const current: Render | undefined = done.find((r) => r.id === focus) ?? done[0];
  const nameOf = (r: Render) => models.get(r.model_id)?.name ?? r.model_id;
  const fileName = (r: Render) => `${batch.id}-${nameOf(r)}-v${r.version}.jpg`.replace(/[^\w.-]+/g, '_');

  const downloadOne = async (r: Render) => {
    try { saveBlob(await blobOf(r.urls.result!), fileName(r)); } catch (e) { setError(message(e)); }
  };
  const downloadZip = async () => {
    setBusy(true);
    try {
      const files = await Promise.all(done.map(async (r) => ({ name: fileName(r), bytes: new Uint8Array(await (await blobOf(r.urls.result!)).arrayBuffer()) })));
      saveBlob(zipStore(files), `${batch.id}.zip`);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page" aria-labelledby="cmp-h">
      <div class="page-head row-between">
        <div><h1 id="cmp-h">Compare <span class="muted mono">{batch.id}</span></h1><p class="muted">{done.length} of {batch.renders.length} renders ready</p></div>
        <div class="actions">
          <a class="button" href={`#/tryon/${batch.id}`}>Live view</a>
          <button class="primary" disabled={!done.length || busy} onClick={downloadZip} data-testid="download-zip">{busy ? 'Zipping…' : `Download all (.zip)`}</button>
        </div>
      </div>
      <ErrorNote error={error} />
      <ul class="grid grid-compare" aria-label="Results">
        {batch.renders.map((r) => (
          <li key={r.id}>
            <button class={`tile${current?.id === r.id ? ' selected' : ''}`} disabled={!r.urls.result} onClick={() => { setFocus(r.id); setZoom(false); }} aria-pressed={current?.id === r.id}>
              {r.urls.result ? <img src={sized(r.urls.result, 400)} alt="" /> : <div class="placeholder">{r.status}</div>}
              <span class="tile-caption"><span class="ellipsis">{nameOf(r)}</span>{r.needs_review ? <Badge status="review">review</Badge> : <Badge status={r.status} />}</span>
            </button>
          </li>
        ))}
      </ul>
      {current && (
        <div class="card focus" aria-label="Selected result">
          <div class="row-between">
            <h2 class="ellipsis">{nameOf(current)} <span class="muted">v{current.version}</span></h2>
            <div class="actions">
              <label class="toggle"><input type="checkbox" checked={zoom} onChange={(e) => setZoom((e.target as HTMLInputElement).checked)} /> 100% zoom</label>
              <button onClick={() => downloadOne(current)} data-testid="download-one">Download JPEG</button>
              <button class="primary" onClick={() => go(`adjust/${current.id}`)}>Adjust</button>
            </div>
          </div>
          <div class="focus-body">
            {zoom
              ? <div class="zoom" tabIndex={0} aria-label="Result at 100%, scroll to pan"><img src={current.urls.result!} alt={`${nameOf(current)} at 100%`} /></div>
              : <BeforeAfter before={sized(models.get(current.model_id)?.urls.source, 1024, 'jpeg')} after={current.urls.result!} label={nameOf(current)} />}
            <div class="focus-side"><QualityDetails r={current} open /></div>
          </div>
        </div>
      )}
    </section>
  );
}
