// Example webhook receiver for storefronts: verifies try-on webhooks (Standard Webhooks), drops duplicates, answers fast.
// Run: WEBHOOK_SECRET=whsec_… PORT=8080 node receiver.mjs   (Node 18+, no dependencies; copy it into your app)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

// --- verification: copied from src/webhooks/signing.ts (verifyWebhook), keep it as is -------------
export function verifyWebhook({ headers, body, secret, toleranceSeconds = 300, now = Date.now() }) {
  const id = headers['webhook-id'], ts = headers['webhook-timestamp'], sigs = headers['webhook-signature'];
  if (!id || !ts || !sigs) throw new Error('missing_headers: webhook-id, webhook-timestamp, webhook-signature');
  if (!/^\d{1,12}$/.test(ts)) throw new Error('invalid_timestamp');
  const timestamp = Number(ts), nowS = Math.floor(now / 1000);
  if (timestamp < nowS - toleranceSeconds) throw new Error('timestamp_too_old: a replay, or a wrong clock');
  if (timestamp > nowS + toleranceSeconds) throw new Error('timestamp_too_new: a wrong clock');
  const offered = sigs.split(' ').filter((s) => s.startsWith('v1,')).map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const s of Array.isArray(secret) ? secret : [secret]) {
    const key = Buffer.from(s.startsWith('whsec_') ? s.slice(6) : s, 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
    let match = false;
    for (const got of offered) if (got.length === expected.length && timingSafeEqual(got, expected)) match = true;
    if (match) return { id, timestamp };
  }
  throw new Error('no_matching_signature: wrong secret, or the body was changed');
}
// ---------------------------------------------------------------------------------------------------

// During a secret rotation, list both: WEBHOOK_SECRET="whsec_new whsec_old".
const secrets = (process.env.WEBHOOK_SECRET ?? '').split(/\s+/).filter(Boolean);
if (secrets.length === 0) throw new Error('set WEBHOOK_SECRET to your endpoint secret (whsec_…)');
const seen = new Set(); // use your database in production: ids repeat when a retry crosses your answer

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks); // the raw bytes: never re-serialise JSON before verifying
    let id;
    try {
      ({ id } = verifyWebhook({ headers: req.headers, body, secret: secrets }));
    } catch (err) {
      res.writeHead(400).end(String(err.message));
      return;
    }
    res.writeHead(204).end(); // answer within 10 s; do the work afterwards
    if (seen.has(id)) return;
    seen.add(id);
    const event = JSON.parse(body.toString('utf8'));
    if (event.type === 'render.succeeded') console.log('render ready', event.data.id, event.data.images.map((i) => i.url));
    else console.log(event.type, event.data.id ?? '', JSON.stringify(event.data).slice(0, 200));
  });
});
server.listen(Number(process.env.PORT ?? 8080), () => console.log(`listening on :${server.address().port}`));
