// Small shared pieces: status badges, progress bars, the drop zone, a polling hook and the hash router.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export function Badge({ status, children }: { status: string; children?: ComponentChildren }) {
  return <span class={`badge badge-${status}`}>{children ?? status.replace('_', ' ')}</span>;
}

export function Progress({ value, label }: { value: number; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <div class="progress-bar" style={{ width: `${pct}%` }} />
    </div>
  );
}

/** Drag-and-drop or click/Enter to choose files; the hidden input keeps it keyboard- and screen-reader-usable. */
export function DropZone({ label, multiple, onFiles, testId }: { label: string; multiple?: boolean; onFiles: (f: File[]) => void; testId?: string }) {
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const take = (list: FileList | null | undefined) => {
    const files = [...(list ?? [])].filter((f) => f.type.startsWith('image/') || /\.(jpe?g|png|webp|avif)$/i.test(f.name));
    if (files.length) onFiles(multiple ? files : files.slice(0, 1));
  };
  return (
    <label
      class={`dropzone${over ? ' over' : ''}`}
      data-testid={testId}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => { e.preventDefault(); setOver(false); take(e.dataTransfer?.files); }}
    >
      <input ref={input} type="file" accept="image/jpeg,image/png,image/webp,image/avif" multiple={multiple} class="visually-hidden"
        onChange={(e) => { take((e.target as HTMLInputElement).files); (e.target as HTMLInputElement).value = ''; }} />
      <span class="dropzone-icon" aria-hidden="true">⤒</span>
      <span><strong>{label}</strong><br /><small>Drop JPEG, PNG or WebP here, or press to choose</small></span>
    </label>
  );
}

export function usePoll(fn: () => Promise<boolean | void>, ms: number, deps: unknown[]) {
  useEffect(() => {
    let stop = false;
    let timer: number | undefined;
    const tick = async () => {
      let again: boolean | void = true;
      try { again = await fn(); } catch { /* shown by the caller */ }
      if (!stop && again !== false) timer = window.setTimeout(tick, ms);
    };
    void tick();
    return () => { stop = true; clearTimeout(timer); };
  }, deps);
}

export function useHash(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean);
}

export const go = (path: string) => { location.hash = `#/${path}`; };

export function ErrorNote({ error }: { error: string | null }) {
  return error ? <p class="error" role="alert">{error}</p> : null;
}

export const pct = (v: unknown) => (typeof v === 'number' ? `${Math.round(v * 100)}%` : '–');

/** Choices handed from one screen to the next (a garment to try on) without putting anything in the URL. */
export const picks: { garment: string | null } = { garment: null };
