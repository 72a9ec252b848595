// Entry of the designer dashboard: sign-in gate, navigation and the hash routes of each screen.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, message, session } from './lib/api.js';
import { ErrorNote, go, useHash } from './ui.js';
import { Garments } from './views/garments.js';
import { Models } from './views/models.js';
import { Tryon } from './views/tryon.js';
import { Compare } from './views/compare.js';
import { Adjust } from './views/adjust.js';
import { Admin } from './views/admin.js';
import './styles.css';

function SignIn({ onIn }: { onIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Any read call proves the key; nothing is stored unless it works.
      await api('/v1/garments?limit=1', { key: key.trim() });
      session.set(key.trim());
      onIn();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'This API key is not valid (unknown or revoked).' : message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form class="card signin-card" onSubmit={submit}>
        <div class="brand brand-lg"><span class="logo" aria-hidden="true">◐</span> tryon</div>
        <h1>Sign in to the studio</h1>
        <p class="muted">Use an API key of your account (<code>tryon tenants create</code> or <code>tryon keys create</code> prints one). It stays in this browser tab only.</p>
        <label for="apikey">API key</label>
        <input id="apikey" name="apikey" type="password" autocomplete="off" spellcheck={false} placeholder="tk_live_…" value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)} required autoFocus />
        <ErrorNote error={error} />
        <button class="primary" type="submit" disabled={busy || !key.trim()}>{busy ? 'Checking…' : 'Sign in'}</button>
      </form>
    </main>
  );
}

const NAV: [string, string][] = [['garments', 'Garments'], ['models', 'Models'], ['tryon', 'Try-on'], ['compare', 'Compare'], ['admin', 'Admin']];

function App() {
  const [signedIn, setSignedIn] = useState(!!session.get());
  const route = useHash();
  useEffect(() => {
    const out = () => { session.clear(); setSignedIn(false); };
    addEventListener('tryon:signed-out', out);
    return () => removeEventListener('tryon:signed-out', out);
  }, []);
  if (!signedIn) return <SignIn onIn={() => { setSignedIn(true); if (!location.hash) go('garments'); }} />;
  const [screen = 'garments', id] = route;
  const view =
    screen === 'models' ? <Models /> :
    screen === 'tryon' ? <Tryon batchId={id} /> :
    screen === 'compare' ? <Compare batchId={id} /> :
    screen === 'adjust' && id ? <Adjust renderId={id} /> :
    screen === 'admin' ? <Admin /> : <Garments />;
  const active = screen === 'adjust' ? 'compare' : screen;
  return (
    <div class="shell">
      <a class="skip" href="#content" onClick={(e) => { e.preventDefault(); document.getElementById('content')?.focus(); }}>Skip to content</a>
      <header class="topbar">
        <div class="brand"><span class="logo" aria-hidden="true">◐</span> tryon <span class="muted">studio</span></div>
        <nav aria-label="Screens">
          {NAV.map(([path, label]) => (
            <a href={`#/${path}`} class={active === path ? 'active' : ''} aria-current={active === path ? 'page' : undefined}>{label}</a>
          ))}
        </nav>
        <button class="ghost" onClick={() => { session.clear(); setSignedIn(false); location.hash = ''; }}>Sign out</button>
      </header>
      <main id="content" tabIndex={-1}>{view}</main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
