// The webhook benches' receiver, run as a child process (so its CPU is not the sender's): verifies every delivery, counts each event id, answers 204; talks to the bench over IPC.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../src/webhooks/signing.js';

export type ReceiverRequest = { cmd: 'secret'; secret: string } | { cmd: 'stats' } | { cmd: 'ids' } | { cmd: 'close' };
export interface ReceiverStats {
  /** Requests that verified. */
  received: number;
  distinct: number;
  /** Requests that did not verify (answered 400). */
  bad: number;
  /** Date.now() of the last verified request (0: none yet). */
  lastAt: number;
  /** This process's CPU time so far, in ms. */
  cpuMs: number;
  /** TCP connections the sender opened (keep-alive reuses them). */
  connections: number;
}

const send = (msg: unknown) => process.send?.(msg);

if (process.send) {
  const seen = new Map<string, number>();
  let secret = '';
  let bad = 0;
  let received = 0;
  let lastAt = 0;
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const { id } = verifyWebhook({ headers: req.headers, body: Buffer.concat(chunks), secret });
        seen.set(id, (seen.get(id) ?? 0) + 1);
        received++;
        lastAt = Date.now();
        res.writeHead(204).end();
      } catch {
        bad++;
        res.writeHead(400).end();
      }
    });
  });
  server.on('connection', () => connections++);
  // Keep-alive sockets stay open as long as the sender's agent keeps them.
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => send({ listening: (server.address() as AddressInfo).port }));
  process.on('message', (m: ReceiverRequest) => {
    if (m.cmd === 'secret') {
      secret = m.secret;
      send({ ok: true });
    } else if (m.cmd === 'stats') {
      const c = process.cpuUsage();
      const stats: ReceiverStats = { received, distinct: seen.size, bad, lastAt, cpuMs: (c.user + c.system) / 1000, connections };
      send({ stats });
    } else if (m.cmd === 'ids') {
      send({ ids: [...seen] });
    } else if (m.cmd === 'close') {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}
