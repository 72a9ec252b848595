// Adjust: every render option as a control, draggable garment landmarks and body targets; each change re-renders and shows the new version.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, message, sized, stream, type Garment, type Model, type Point, type Render } from '../lib/api.js';
import { Badge, ErrorNote, go } from '../ui.js';
import { Handles } from './handles.js';
import { QualityDetails } from './tryon.js';

interface Options {
  offset: Point; scale: number; rotation: number; fit: 'slim' | 'regular' | 'loose'; length: number; sleeve_length: number;
  tuck: boolean; shading: number; enhancement: number; background: 'keep' | { colour: string } | { image_key: string };
  landmarks: Record<string, Point>; targets: Record<string, Point>;
}
const DEFAULTS: Options = { offset: { x: 0, y: 0 }, scale: 1, rotation: 0, fit: 'regular', length: 1, sleeve_length: 1, tuck: false, shading: 0.8, enhancement: 0, background: 'keep', landmarks: {}, targets: {} };
const withDefaults = (o: Record<string, any>): Options => ({ ...DEFAULTS, ...o, offset: { ...DEFAULTS.offset, ...(o.offset ?? {}) } });

type NumKey = 'scale' | 'rotation' | 'length' | 'sleeve_length' | 'shading' | 'enhancement' | 'offset.x' | 'offset.y';
const SLIDERS: { key: NumKey; label: string; min: number; max: number; step: number; unit?: string }[] = [
  { key: 'offset.x', label: 'Move left / right', min: -0.5, max: 0.5, step: 0.01 },
  { key: 'offset.y', label: 'Move up / down', min: -0.5, max: 0.5, step: 0.01 },
  { key: 'scale', label: 'Scale', min: 0.5, max: 2, step: 0.01, unit: '×' },
  { key: 'rotation', label: 'Rotation', min: -45, max: 45, step: 1, unit: '°' },
  { key: 'length', label: 'Length', min: 0.5, max: 2, step: 0.01, unit: '×' },
  { key: 'sleeve_length', label: 'Sleeve length', min: 0, max: 2, step: 0.01, unit: '×' },
  { key: 'shading', label: 'Shading', min: 0, max: 1, step: 0.05 },
  { key: 'enhancement', label: 'Portrait enhancement', min: 0, max: 1, step: 0.05 },
];
const getNum = (o: Options, k: NumKey) => (k === 'offset.x' ? o.offset.x : k === 'offset.y' ? o.offset.y : o[k]);
const setNum = (o: Options, k: NumKey, v: number): Options =>
  k === 'offset.x' ? { ...o, offset: { ...o.offset, x: v } } : k === 'offset.y' ? { ...o, offset: { ...o.offset, y: v } } : { ...o, [k]: v };

/** Resolves with the render once its version `version` has ended (live events of its batch; the snapshot covers a fast finish). */
function waitForVersion(r: Render, version: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const stop = stream(`/v1/tryons/${r.batch_id}/events`, (e) => {
      const mine = (x: any) => x?.render_id === r.id || x?.id === r.id;
      let ended = false;
      if (e.type === 'snapshot') {
        const cur = (e.data.renders as Render[]).find((x) => x.id === r.id);
        ended = !!cur && cur.version >= version && ['succeeded', 'failed', 'canceled'].includes(cur.status);
      } else if (['succeeded', 'failed', 'canceled'].includes(e.type) && mine(e.data)) {
        ended = e.type !== 'succeeded' || e.data.version >= version;
      }
      if (ended && !settled) { settled = true; stop(); resolve(); }
    }, (err) => { if (!settled) { settled = true; err ? reject(err) : resolve(); } });
  });
}

declare global { interface Window { __tryonAdjust?: { ms: number; version: number }[] } }

export function Adjust({ renderId }: { renderId: string }) {
  const [render, setRender] = useState<Render | null>(null);
  const [garment, setGarment] = useState<Garment | null>(null);
  const [model, setModel] = useState<Model | null>(null);
  const [opts, setOpts] = useState<Options>(DEFAULTS);
  const [history, setHistory] = useState<Options[]>([]);
  const [busy, setBusy] = useState(false);
  const [lastMs, setLastMs] = useState<number | null>(null);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const original = useRef<Options | null>(null);
  const inflight = useRef(false);
  const queued = useRef<Options | null>(null);
  const started = useRef(0);
  /** The options last sent (what undo returns from); `opts` also follows a slider while it moves. */
  const committed = useRef<Options>(DEFAULTS);

  useEffect(() => {
    (async () => {
      try {
        const r = await api<Render>(`/v1/renders/${renderId}`);
        setRender(r);
        const o = withDefaults(r.options);
        setOpts(o);
        original.current = o;
        committed.current = o;
        const [g, m] = await Promise.all([api<Garment>(`/v1/garments/${r.garment_id}`), api<Model>(`/v1/models/${r.model_id}`)]);
        setGarment(g);
        setModel(m);
      } catch (e) {
        setError(message(e));
      }
    })();
  }, [renderId]);

  const send = async (next: Options) => {
    if (!render) return;
    if (inflight.current) { queued.current = next; return; }
    inflight.current = true;
    setBusy(true);
    setError(null);
    try {
      const queuedRender = await api<Render>(`/v1/renders/${render.id}/rerender`, { method: 'POST', body: { options: next } });
      await waitForVersion(queuedRender, queuedRender.version);
      const fresh = await api<Render>(`/v1/renders/${render.id}`);
      if (fresh.status === 'failed') setError(fresh.error?.detail ?? 'The re-render failed.');
      setRender(fresh);
    } catch (e) {
      setError(message(e));
    } finally {
      inflight.current = false;
      const more = queued.current;
      queued.current = null;
      if (more) void send(more);
      else setBusy(false);
    }
  };

  /** A committed change: remember the previous options for undo, then re-render. */
  const commit = (next: Options) => {
    started.current = performance.now();
    setSaved(false);
    const before = committed.current;
    setHistory((h) => [...h, before]);
    committed.current = next;
    setOpts(next);
    void send(next);
  };
  const undo = () => {
    const prev = history[history.length - 1];
    if (!prev) return;
    started.current = performance.now();
    setHistory((h) => h.slice(0, -1));
    committed.current = prev;
    setOpts(prev);
    void send(prev);
  };
  const onResultLoad = () => {
    if (!started.current || !render) return;
    const ms = Math.round(performance.now() - started.current);
    started.current = 0;
    setLastMs(ms);
    (window.__tryonAdjust ??= []).push({ ms, version: render.version });
  };

  if (!render || !garment || !model) return <section class="page"><ErrorNote error={error} /><p class="muted">Loading…</p></section>;
  const ga = garment.analysis ?? {};
  const ma = model.analysis ?? {};
  const landmarks: Record<string, Point> = Object.fromEntries(Object.entries((ga.landmarks ?? {}) as Record<string, Point>).map(([k, p]) => [k, opts.landmarks[k] ?? { x: p.x, y: p.y }]));
  const targets: Record<string, Point> = Object.fromEntries(Object.entries((render.quality?.targets ?? {}) as Record<string, Point>).map(([k, p]) => [k, opts.targets[k] ?? p]));
  const bg = opts.background;

  return (
    <section class="page adjust" aria-labelledby="adj-h">
      <div class="page-head row-between">
        <div>
          <h1 id="adj-h">Adjust <span class="muted">{model.name ?? model.id} · v{render.version}</span></h1>
          <p class="muted" aria-live="polite" data-testid="adjust-status">
            {busy ? 'Rendering…' : render.status === 'succeeded' ? `Up to date${lastMs !== null ? ` · last change shown in ${lastMs} ms` : ''}` : render.status}
            {render.needs_review && <> · <Badge status="review">needs review</Badge></>}
          </p>
        </div>
        <div class="actions">
          <button onClick={undo} disabled={!history.length || busy} data-testid="undo">Undo</button>
          <button onClick={() => original.current && commit(original.current)} disabled={busy}>Reset</button>
          <button class="primary" disabled={busy || render.status !== 'succeeded'} onClick={() => { setSaved(true); go(`compare/${render.batch_id}`); }} data-testid="save-final">
            {saved ? 'Saved' : 'Save as final'}
          </button>
        </div>
      </div>
      <ErrorNote error={error} />
      <div class="adjust-grid">
        <div class="card">
          <h2>Result <small class="muted">drag the blue body targets</small></h2>
          <div class={`figure${busy ? ' busy' : ''}`}>
            {render.urls.result && <img src={render.urls.result} alt={`Try-on on ${model.name ?? model.id}, version ${render.version}`} data-testid="adjust-result" data-version={render.version} onLoad={onResultLoad} />}
            {ma.width && render.status === 'succeeded' && (
              <Handles kind="target" width={ma.width} height={ma.height} points={targets} moved={new Set(Object.keys(opts.targets))}
                onMove={(name, p) => commit({ ...opts, targets: { ...opts.targets, [name]: p } })} />
            )}
          </div>
        </div>
        <div class="card">
          <h2>Garment <small class="muted">drag the orange points</small></h2>
          <div class="figure checker">
            <img src={sized(garment.urls.source, 800)} alt={`Garment ${garment.name ?? garment.id}`} />
            {ga.width && <Handles kind="landmark" width={ga.width} height={ga.height} points={landmarks} moved={new Set(Object.keys(opts.landmarks))}
              onMove={(name, p) => commit({ ...opts, landmarks: { ...opts.landmarks, [name]: p } })} />}
          </div>
          <QualityDetails r={render} />
        </div>
        <form class="card controls" onSubmit={(e) => e.preventDefault()} aria-label="Render options">
          <h2>Options</h2>
          {SLIDERS.map((s) => {
            const v = getNum(opts, s.key);
            return (
              <div class="slider" key={s.key}>
                <label for={`o-${s.key}`}>{s.label}</label>
                <output for={`o-${s.key}`}>{s.step < 1 ? v.toFixed(2) : v}{s.unit ?? ''}</output>
                <input id={`o-${s.key}`} type="range" min={s.min} max={s.max} step={s.step} value={v} data-testid={`opt-${s.key}`}
                  onInput={(e) => setOpts(setNum(opts, s.key, Number((e.target as HTMLInputElement).value)))}
                  onChange={(e) => commit(setNum(opts, s.key, Number((e.target as HTMLInputElement).value)))} />
              </div>
            );
          })}
          <div class="field">
            <label for="o-fit">Fit</label>
            <select id="o-fit" value={opts.fit} onChange={(e) => commit({ ...opts, fit: (e.target as HTMLSelectElement).value as Options['fit'] })}>
              <option value="slim">Slim</option><option value="regular">Regular</option><option value="loose">Loose</option>
            </select>
          </div>
          <label class="toggle"><input type="checkbox" checked={opts.tuck} onChange={(e) => commit({ ...opts, tuck: (e.target as HTMLInputElement).checked })} /> Tucked in</label>
          <fieldset class="field">
            <legend>Background</legend>
            <label class="toggle"><input type="radio" name="bg" checked={bg === 'keep'} onChange={() => commit({ ...opts, background: 'keep' })} /> Keep the photo</label>
            <label class="toggle"><input type="radio" name="bg" checked={typeof bg === 'object' && 'colour' in bg} onChange={() => commit({ ...opts, background: { colour: '#f2f2f2' } })} /> Plain colour</label>
            {typeof bg === 'object' && 'colour' in bg && (
              <input type="color" aria-label="Background colour" value={bg.colour} onChange={(e) => commit({ ...opts, background: { colour: (e.target as HTMLInputElement).value } })} />
            )}
          </fieldset>
          <button type="button" class="link" disabled={!Object.keys(opts.landmarks).length && !Object.keys(opts.targets).length}
            onClick={() => commit({ ...opts, landmarks: {}, targets: {} })}>Reset moved points</button>
        </form>
      </div>
    </section>
  );
}
