// Admin: job counts per queue and state (refreshed every 2 s) and the tenant's webhook delivery log.
import { useState } from 'preact/hooks';
import { api, ApiError, message, type Page } from '../lib/api.js';
import { Badge, ErrorNote, usePoll } from '../ui.js';

interface Counts { states: string[]; queues: { name: string; counts: Record<string, number> }[]; at: string }
interface Delivery { id: string; url: string; event_type: string; status: string; attempts: number; last_status_code: number | null; last_error: string | null; last_latency_ms: number | null; created_at: string; delivered_at: string | null }

export function Admin() {
  const [counts, setCounts] = useState<Counts | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  usePoll(async () => {
    try {
      const [c, d] = await Promise.all([api<Counts>('/v1/admin/queues'), api<Page<Delivery>>('/v1/admin/webhook-deliveries?limit=50')]);
      setCounts(c);
      setDeliveries(d.items);
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 403 ? 'This screen needs an API key with the admin scope.' : message(e));
      if (e instanceof ApiError && e.status === 403) return false;
    }
  }, 2000, []);
  return (
    <section class="page" aria-labelledby="admin-h">
      <div class="page-head"><h1 id="admin-h">Admin</h1><p class="muted">Queues of the whole service and this account's webhook deliveries. Refreshes every 2 seconds.</p></div>
      <ErrorNote error={error} />
      {counts && (
        <div class="card">
          <h2>Queues <small class="muted">as of {new Date(counts.at).toLocaleTimeString()}</small></h2>
          <div class="table-wrap">
            <table data-testid="queue-table">
              <thead><tr><th scope="col">Queue</th>{counts.states.map((s) => <th scope="col" class="num">{s.replace('-', ' ')}</th>)}</tr></thead>
              <tbody>{counts.queues.map((q) => (
                <tr><th scope="row">{q.name}</th>{counts.states.map((s) => <td class={`num${s === 'failed' && q.counts[s] ? ' bad' : ''}`}>{q.counts[s] ?? 0}</td>)}</tr>
              ))}</tbody>
            </table>
          </div>
        </div>
      )}
      {deliveries && (
        <div class="card">
          <h2>Webhook deliveries</h2>
          {deliveries.length === 0 ? <p class="empty">No deliveries yet. Pass <code>webhook_url</code> when starting a try-on to get signed callbacks.</p> : (
            <div class="table-wrap">
              <table>
                <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">URL</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col" class="num">HTTP</th><th scope="col" class="num">ms</th><th scope="col">Last error</th></tr></thead>
                <tbody>{deliveries.map((d) => (
                  <tr><td>{new Date(d.created_at).toLocaleString()}</td><td>{d.event_type}</td><td class="ellipsis url">{d.url}</td><td><Badge status={d.status} /></td>
                    <td class="num">{d.attempts}</td><td class="num">{d.last_status_code ?? '–'}</td><td class="num">{d.last_latency_ms ?? '–'}</td><td class="ellipsis">{d.last_error ?? ''}</td></tr>
                ))}</tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
