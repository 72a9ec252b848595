// The ONNX path end to end on networks built here: providers, pre-processing, layouts, masks, labels.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxSession, OnnxProviderError, providerStatus } from '../../src/inference/onnx.js';
import { outputToLabels, outputToMask, packImage, runImageNetwork } from '../../src/inference/onnx-image.js';
import type { RgbaImage } from '../../src/pipeline/types.js';
import { conv1x1Network, nhwcNetwork } from './onnx-fixture.js';

/** A 4x2 image whose red rises along x, green along y and blue differs per pixel, so any layout mix-up shows. */
function knownImage(): RgbaImage {
  const w = 4;
  const h = 2;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      data[i] = x * 85; // 0, 85, 170, 255
      data[i + 1] = y * 255;
      data[i + 2] = 10 + 30 * (y * w + x);
      data[i + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}

function solid(w: number, h: number, rgb: [number, number, number]): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([...rgb, 255], i * 4);
  return { width: w, height: h, data };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tryon-onnx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('packImage', () => {
  it('puts channel planes first for NCHW and interleaves them for NHWC', () => {
    const img = knownImage();
    const nchw = packImage(img, { layout: 'nchw', range: '0..255' });
    const nhwc = packImage(img, { layout: 'nhwc', range: '0..255' });
    expect([...nchw.subarray(0, 4)]).toEqual([0, 85, 170, 255]); // red plane, first row
    expect([...nchw.subarray(8, 12)]).toEqual([0, 0, 0, 0]); // green plane, first row
    expect([...nchw.subarray(12, 16)]).toEqual([255, 255, 255, 255]); // green plane, second row
    expect([...nhwc.subarray(0, 6)]).toEqual([0, 0, 10, 85, 0, 40]); // pixel (0,0) then (1,0)
  });

  it('normalises with mean and std after scaling, and swaps to BGR when asked', () => {
    const img = solid(1, 1, [255, 0, 51]);
    const v = packImage(img, { layout: 'nchw', mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 0.2] });
    expect(v[0]).toBeCloseTo((1 - 0.5) / 0.25, 6);
    expect(v[1]).toBeCloseTo((0 - 0.5) / 0.5, 6);
    expect(v[2]).toBeCloseTo((0.2 - 0.5) / 0.2, 6);
    const bgr = packImage(img, { layout: 'nhwc', range: '0..255', channels: 'bgr' });
    expect([...bgr]).toEqual([51, 0, 255]);
  });
});

describe('createOnnxSession and runImageNetwork', () => {
  it('runs a 1x1 convolution from a file on the CPU and gives the values its weights imply', async () => {
    const file = path.join(dir, 'grey.onnx');
    await writeFile(file, conv1x1Network([[0.25, 0.5, 0.25]], [0.1]));
    const net = await createOnnxSession(file, { providers: ['cpu'] });
    expect(net.providers).toEqual(['cpu']);
    const img = knownImage();
    const mean = [0.5, 0.5, 0.5] as const;
    const std = [0.25, 0.25, 0.25] as const;
    const out = await runImageNetwork(net, img, { size: [4, 2], layout: 'nchw', mean, std });
    expect(out.dims).toEqual([1, 1, 2, 4]);
    for (let i = 0; i < 8; i++) {
      const [r, g, b] = [img.data[i * 4]!, img.data[i * 4 + 1]!, img.data[i * 4 + 2]!].map((p, c) => (p / 255 - mean[c]!) / std[c]!);
      expect(out.data[i]).toBeCloseTo(0.25 * r! + 0.5 * g! + 0.25 * b! + 0.1, 5);
    }
    // White maps to +2 on every channel, black to -2: 2 * (0.25 + 0.5 + 0.25) + 0.1 and its mirror.
    const white = await runImageNetwork(net, solid(4, 2, [255, 255, 255]), { size: [4, 2], layout: 'nchw', mean, std });
    const black = await runImageNetwork(net, solid(4, 2, [0, 0, 0]), { size: [4, 2], layout: 'nchw', mean, std });
    expect(white.data[5]).toBeCloseTo(2.1, 5);
    expect(black.data[5]).toBeCloseTo(-1.9, 5);
  });

  it('reads the red channel back at the right pixel in NCHW (no transposition)', async () => {
    const net = await createOnnxSession(conv1x1Network([[1, 0, 0]], [0]));
    expect(net.source).toBe('bytes');
    const out = await runImageNetwork(net, knownImage(), { size: [4, 2], layout: 'nchw', range: '0..255' });
    expect([...out.data]).toEqual([0, 85, 170, 255, 0, 85, 170, 255]);
    const mask = outputToMask(out, {});
    expect(mask.width).toBe(4);
    expect(mask.height).toBe(2);
  });

  it('runs an NHWC network with a fixed input size, picks a named output, and refuses the wrong layout clearly', async () => {
    const net = await createOnnxSession(nhwcNetwork(2, 4, [0, 0, 1], 2, -1));
    const img = knownImage();
    const out = await runImageNetwork(net, img, { size: [4, 2], layout: 'nhwc' });
    expect(out.name).toBe('mask');
    expect(out.dims).toEqual([1, 2, 4, 1]);
    for (let i = 0; i < 8; i++) expect(out.data[i]).toBeCloseTo((2 * img.data[i * 4 + 2]!) / 255 - 1, 5);
    const logits = await runImageNetwork(net, img, { size: [4, 2], layout: 'nhwc', output: 'logits' });
    for (let i = 0; i < 8; i++) expect(logits.data[i]).toBeCloseTo(img.data[i * 4 + 2]! / 255, 5);
    await expect(runImageNetwork(net, img, { size: [4, 2], layout: 'nchw' })).rejects.toThrow(/has shape \[1, 2, 4, 3\].*\[1, 3, 2, 4\].*layout/);
    await expect(runImageNetwork(net, img, { size: [4, 2], layout: 'nhwc', output: 'nope' })).rejects.toThrow(/no output "nope".*mask, logits/);
  });

  it('resizes the image to the network size and scales the mask back to the image size', async () => {
    // grey = (r + g + b) / 3 on 0..1 input: a solid colour survives any resampling exactly.
    const net = await createOnnxSession(conv1x1Network([[1 / 3, 1 / 3, 1 / 3]], [0]));
    const img = solid(10, 6, [204, 102, 153]);
    const out = await runImageNetwork(net, img, { size: [5, 3], layout: 'nchw' });
    expect(out.dims).toEqual([1, 1, 3, 5]);
    for (const v of out.data) expect(v).toBeCloseTo(153 / 255, 5);
    const mask = outputToMask(out, { width: 10, height: 6 });
    expect(mask.width).toBe(10);
    expect(mask.height).toBe(6);
    expect(new Set(mask.data)).toEqual(new Set([153]));
  });

  it('turns logits into a mask with a sigmoid and class scores into labels', async () => {
    // Output channel k is input channel k minus 0.5: the label is the strongest colour channel.
    const parser = await createOnnxSession(conv1x1Network([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [-0.5, -0.5, -0.5]));
    const img: RgbaImage = { width: 3, height: 1, data: Uint8Array.from([200, 10, 10, 255, 10, 200, 10, 255, 10, 10, 200, 255]) };
    const out = await runImageNetwork(parser, img, { size: [3, 1], layout: 'nchw' });
    const labels = outputToLabels(out);
    expect([...labels.data]).toEqual([0, 1, 2]);
    const wide = outputToLabels(out, { width: 6, height: 2 });
    expect([...wide.data]).toEqual([0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2]);
    const red = outputToMask(out, { channel: 0, sigmoid: true });
    expect(red.data[0]).toBe(Math.round(255 / (1 + Math.exp(-(200 / 255 - 0.5)))));
    expect(red.data[1]).toBe(Math.round(255 / (1 + Math.exp(-(10 / 255 - 0.5)))));
  });
});

describe('execution providers', () => {
  it('reports CUDA as missing here, with what to install', async () => {
    const st = await providerStatus('cuda');
    // The project installs onnxruntime-node with onnxruntime-node-install=skip (.npmrc): no CUDA provider library.
    expect(st.available).toBe(false);
    expect(st.reason).toMatch(/onnxruntime-node-install=cuda12/);
    expect((await providerStatus('cpu')).available).toBe(true);
  });

  it('refuses cuda (even with cpu after it) with a clear error instead of silently running on the CPU', async () => {
    const bytes = conv1x1Network([[1, 0, 0]], [0]);
    for (const providers of [['cuda'], ['cuda', 'cpu']] as const) {
      const err = await createOnnxSession(bytes, { providers }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OnnxProviderError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/onnxruntime-node-install=cuda12/);
      expect(msg).toMatch(/CUDA 12/);
      expect(msg).toMatch(/NVIDIA driver/);
      expect(msg).toMatch(/ONNX_EXECUTION_PROVIDERS=cpu/);
    }
  });

  it('says which file it could not load when the bytes are not an ONNX network', async () => {
    const file = path.join(dir, 'junk.onnx');
    await writeFile(file, 'not a network');
    await expect(createOnnxSession(file)).rejects.toThrow(/could not load the network from .*junk\.onnx/);
  });
});
