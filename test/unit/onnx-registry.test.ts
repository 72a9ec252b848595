// The network registry's ONNX side: cached sessions, optional networks, checksums, provider errors.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImageNetwork } from '../../src/inference/onnx-image.js';
import { OnnxProviderError } from '../../src/inference/onnx.js';
import { NetworkNotPresentError, NetworkRegistry } from '../../src/inference/registry.js';
import type { RgbaImage } from '../../src/pipeline/types.js';
import { conv1x1Network, sha256 } from './onnx-fixture.js';

let dir: string;
const grey = conv1x1Network([[0.299, 0.587, 0.114]], [0]);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tryon-registry-'));
  await writeFile(path.join(dir, 'grey.onnx'), grey);
  const entry = (name: string, file: string, sum: string, extra: object = {}) => ({
    name,
    purpose: 'test',
    runtime: 'onnx',
    files: [{ path: file, sha256: sum }],
    licence: 'MIT',
    input_size: [4, 4],
    ...extra,
  });
  const manifest = {
    networks: [
      entry('grey', 'grey.onnx', sha256(grey)),
      entry('grey-wrong-sum', 'grey.onnx', '0'.repeat(64)),
      entry('parser', 'parser.onnx', '1'.repeat(64), { optional: true, source_url: 'https://example.org/parser.onnx' }),
      entry('required-missing', 'gone.onnx', '2'.repeat(64)),
      { ...entry('graph', 'graph.json', '3'.repeat(64)), runtime: 'tfjs-graph' },
    ],
  };
  await writeFile(path.join(dir, 'networks.json'), JSON.stringify(manifest));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const image: RgbaImage = { width: 4, height: 4, data: new Uint8Array(64).fill(255) };

describe('NetworkRegistry.onnx', () => {
  it('loads a manifest network once per process and runs it', async () => {
    const reg = new NetworkRegistry({ networksDir: dir });
    const a = reg.onnx('grey');
    const b = reg.onnx('grey');
    expect(b).toBe(a);
    const net = await a;
    expect(net.source).toBe('grey');
    expect(net.providers).toEqual(['cpu']);
    expect(await reg.onnx('grey')).toBe(net);
    expect(reg.loaded()).toContain('grey');
    const out = await runImageNetwork(net, image, { size: [4, 4], layout: 'nchw' });
    for (const v of out.data) expect(v).toBeCloseTo(0.299 + 0.587 + 0.114, 5);
  });

  it('refuses a file whose sha256 differs from the manifest', async () => {
    const reg = new NetworkRegistry({ networksDir: dir });
    await expect(reg.onnx('grey-wrong-sum')).rejects.toThrow(/sha256 [0-9a-f]{64}, the manifest says 0{64}/);
  });

  it('says an optional network is not present and how to fetch it, and available() is false', async () => {
    const reg = new NetworkRegistry({ networksDir: dir });
    expect(await reg.available('grey')).toBe(true);
    expect(await reg.available('parser')).toBe(false);
    expect(await reg.available('not-in-manifest')).toBe(false);
    const err = await reg.onnx('parser').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NetworkNotPresentError);
    expect((err as Error).message).toMatch(/optional and not present .*parser\.onnx.*`tryon networks pull parser`/);
    expect(await reg.firstAvailable(['parser', 'grey'])).toBe('grey');
    await expect(reg.firstAvailable(['parser'])).rejects.toThrow(/None of the networks parser is available/);
  });

  it('treats a missing required file as an error, not as an optional network', async () => {
    const reg = new NetworkRegistry({ networksDir: dir });
    const err = await reg.onnx('required-missing').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(NetworkNotPresentError);
    expect((err as Error).message).toMatch(/gone\.onnx is missing/);
  });

  it('refuses the wrong runtime and unknown names', async () => {
    const reg = new NetworkRegistry({ networksDir: dir });
    await expect(reg.onnx('graph')).rejects.toThrow(/is tfjs-graph, not an onnx network/);
    await expect(reg.onnx('nope')).rejects.toThrow(/not in the manifest \(grey, /);
  });

  it('passes the configured providers on: cuda here is a clear error, and a failed load is not cached', async () => {
    const reg = new NetworkRegistry({ networksDir: dir, onnxProviders: ['cuda', 'cpu'] });
    const first = reg.onnx('grey');
    await expect(first).rejects.toBeInstanceOf(OnnxProviderError);
    await expect(first).rejects.toThrow(/set ONNX_EXECUTION_PROVIDERS=cpu/);
    expect(reg.onnx('grey')).not.toBe(first);
    await reg.onnx('grey').catch(() => undefined);
  });
});

describe('NetworkRegistry.fromConfig', () => {
  it('takes the ONNX providers from ONNX_EXECUTION_PROVIDERS', async () => {
    const { loadConfig } = await import('../../src/config.js');
    const cuda = NetworkRegistry.fromConfig(loadConfig({ NETWORKS_DIR: dir, ONNX_EXECUTION_PROVIDERS: 'cuda,cpu' }));
    await expect(cuda.onnx('grey')).rejects.toThrow(/asks for cuda/);
    const cpu = NetworkRegistry.fromConfig(loadConfig({ NETWORKS_DIR: dir }));
    expect((await cpu.onnx('grey')).providers).toEqual(['cpu']);
  });
});
