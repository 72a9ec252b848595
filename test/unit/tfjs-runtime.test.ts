// tfjs backend selection on this machine (no tfjs-node: wasm) and one real shipped network run through the registry.
// tfjs keeps one backend per process; vitest's 'forks' pool gives this file its own process, so
// the choices made here cannot leak into other test files.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NetworkRegistry } from '../../src/inference/registry.js';
import { startTfjs, tfjsNodeAvailable } from '../../src/inference/tfjs.js';
import { decodeImage } from '../../src/pipeline/image.js';

const networksDir = fileURLToPath(new URL('../../models', import.meta.url));
const samplePhoto = fileURLToPath(new URL('../../samples/models/cgi-model-4.jpg', import.meta.url));

describe('tfjs backend selection', () => {
  it('has no tfjs-node here (its install downloads libtensorflow)', async () => {
    expect(await tfjsNodeAvailable()).toBe(false);
  });

  // Runs before any successful start: a failed start leaves the process free to choose again.
  it('refuses TFJS_BACKEND=node with what to do instead', async () => {
    await expect(startTfjs('node')).rejects.toThrow(/TFJS_BACKEND=node but @tensorflow\/tfjs-node is not installed.*TFJS_BACKEND=auto/);
  });

  it('auto falls back to wasm and says why', async () => {
    const rt = await startTfjs('auto');
    expect(rt.backend).toBe('wasm');
    expect(rt.tf.getBackend()).toBe('wasm');
    expect(rt.reason).toMatch(/tfjs-node is not installed; using the wasm backend/);
    expect(await startTfjs('auto')).toBe(rt);
    const sum = rt.tf.tidy(() => rt.tf.add(rt.tf.tensor1d([1, 2]), rt.tf.tensor1d([3, 4])).dataSync());
    expect([...sum]).toEqual([4, 6]);
  });

  it('refuses to switch backend once started', async () => {
    await expect(startTfjs('cpu')).rejects.toThrow(/already started with backend "auto"; cannot switch to "cpu"/);
  });
});

describe('a shipped network through the registry', () => {
  const reg = new NetworkRegistry({ networksDir, tfjsBackend: 'auto' });

  it('loads selfie once: the second graph() call returns the same promise and model', async () => {
    const p1 = reg.graph('selfie');
    const p2 = reg.graph('selfie');
    expect(p2).toBe(p1);
    const [m1, m2] = await Promise.all([p1, p2]);
    expect(m2).toBe(m1);
    expect(await reg.graph('selfie')).toBe(m1);
    expect(reg.loaded()).toEqual(['selfie']);
    expect(m1.inputs[0]!.shape).toEqual([1, 256, 256, 3]);
  });

  it('segments the person in a sample photo: [1,256,256,1] probabilities, high on the body, low off it', async () => {
    const { tf } = await reg.runtime();
    const model = await reg.graph('selfie');
    const { image } = await decodeImage(await readFile(samplePhoto));
    const run = (pixels: Uint8Array, w: number, h: number): { shape: number[]; prob: Float32Array } => {
      const out = tf.tidy(() => {
        const rgba = tf.tensor3d(pixels, [h, w, 4], 'int32');
        const rgb = tf.div(tf.cast(tf.slice(rgba, [0, 0, 0], [h, w, 3]), 'float32'), 255);
        // Selfie takes 0..1 RGB; the photo is stretched to the square input, fine for this check.
        const x = tf.expandDims(tf.image.resizeBilinear(rgb as import('@tensorflow/tfjs-core').Tensor3D, [256, 256]), 0);
        return model.execute(x) as import('@tensorflow/tfjs-core').Tensor;
      });
      const prob = out.dataSync() as Float32Array;
      const shape = out.shape;
      out.dispose();
      return { shape, prob };
    };
    const t0 = performance.now();
    const { shape, prob } = run(image.data, image.width, image.height);
    const ms = performance.now() - t0;
    expect(shape).toEqual([1, 256, 256, 1]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of prob) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    // The sample is a frontal full-body model in the middle of the frame (outdoor steps, plants at
    // the sides): the torso at the centre is person, the outer columns are background.
    const mean = (x0: number, x1: number, y0: number, y1: number) => {
      let s = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += prob[y * 256 + x]!;
      return s / ((x1 - x0) * (y1 - y0));
    };
    expect(mean(118, 138, 80, 140)).toBeGreaterThan(0.8);
    expect(mean(0, 24, 0, 256)).toBeLessThan(0.1);
    expect(mean(232, 256, 0, 256)).toBeLessThan(0.1);
    // A plain grey frame has no person in it.
    const grey = new Uint8Array(256 * 256 * 4).fill(128);
    const blank = run(grey, 256, 256).prob;
    expect(blank.reduce((a, b) => a + b, 0) / blank.length).toBeLessThan(0.1);
    console.log(`selfie on wasm: ${ms.toFixed(0)} ms (first run, includes warm-up)`);
  });
});
