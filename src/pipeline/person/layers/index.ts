// Model preparation step 7: the layers a render composites between (agnostic person, front layer, shading).
import sharp from 'sharp';
import type { ModelAnalysis, ModelLayers, RgbaImage } from '../../types.js';
import { buildAgnostic } from './agnostic.js';
import { bodyOutline } from './body-outline.js';
import { raggedArmPixels } from './arm-ragged.js';
import { armsLayer, frontLayer } from './front.js';
import { correctedTop, oldClothing } from './old-clothing.js';
import { bodyShapeGain, sceneLight, shadingMap } from './shading.js';

export interface LayerOptions {
  /** Seed of the patch search, for repeatable fills. */
  seed?: number;
}

export async function prepareModelLayers(a: ModelAnalysis, opts: LayerOptions = {}): Promise<ModelLayers> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (stage: string) => {
    const now = performance.now();
    timings[stage] = Math.round((now - t) * 10) / 10;
    t = now;
  };
  void opts;
  const outline = bodyOutline(a);
  lap('body');
  const top = correctedTop(a);
  const old = oldClothing(a, top);
  lap('old_clothing');
  const shape = bodyShapeGain(outline.mask.data, a.width, a.height);
  const ag = buildAgnostic(a, outline, top, old, shape);
  lap('agnostic');
  const ragged = raggedArmPixels(a, outline.skeleton);
  const front = frontLayer(a, outline, old, ragged);
  const arms = armsLayer(a, ag.agnostic, old, ag.drawn_arms, ragged, outline.skeleton);
  lap('front');
  // The garment may reach past the outline's cut at the hips: its shading goes on there.
  const shading = shadingMap(a, ag.old_clothing.data, bodyShapeGain(outline.mask.data, a.width, a.height, true));
  const light = sceneLight(a);
  lap('shading');
  timings.total = Object.values(timings).reduce((s, v) => s + v, 0);
  const { drawn_arms: _drawn, ...layers } = ag;
  return { ...layers, body: outline.mask, front, arms, shading, light, timings_ms: timings };
}

/** PNGs a person can check: the agnostic person, the front layer on a checkerboard, the gain as grey, the body outline. */
export async function layersOverlays(a: ModelAnalysis, layers: ModelLayers): Promise<Record<string, Buffer>> {
  const { width: W, height: H } = a;
  const n = W * H;
  const raw = (img: RgbaImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } });
  const checker = new Uint8Array(n * 4);
  const cell = Math.max(8, Math.round(Math.max(W, H) / 64));
  for (let i = 0; i < n; i++) {
    const x = i % W, y = (i / W) | 0;
    const v = ((x / cell) ^ (y / cell)) & 1 ? 200 : 140;
    checker[i * 4] = v; checker[i * 4 + 1] = v; checker[i * 4 + 2] = v; checker[i * 4 + 3] = 255;
  }
  const front = await raw({ width: W, height: H, data: checker }).composite([{ input: Buffer.from(layers.front.data), raw: { width: W, height: H, channels: 4 } }]).png().toBuffer();
  const grey = new Uint8Array(n * 4);
  const g = layers.shading.gain;
  for (let i = 0; i < n; i++) {
    // 0.5 → black, 1 → mid grey, 1.5 → white.
    const v = Math.max(0, Math.min(255, Math.round((g[i]! - 0.5) * 255)));
    grey[i * 4] = v; grey[i * 4 + 1] = v; grey[i * 4 + 2] = v; grey[i * 4 + 3] = 255;
  }
  const body = new Uint8Array(a.image.data);
  for (let i = 0; i < n; i++) {
    const inBody = layers.body.data[i]! >= 128, wasOld = layers.old_clothing.data[i]! >= 128;
    if (!inBody && !wasOld) continue;
    const tint: [number, number, number] = inBody && wasOld ? [255, 200, 0] : inBody ? [0, 200, 255] : [255, 0, 120];
    for (let k = 0; k < 3; k++) body[i * 4 + k] = Math.round(body[i * 4 + k]! * 0.5 + tint[k]! * 0.5);
  }
  return {
    'agnostic.png': await raw(layers.agnostic).png().toBuffer(),
    'front.png': front,
    'shading.png': await raw({ width: W, height: H, data: grey }).png().toBuffer(),
    'body.png': await raw({ width: W, height: H, data: body }).png().toBuffer(),
  };
}
