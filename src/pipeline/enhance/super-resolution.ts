// Face super-resolution: a small face is upscaled by an ESRGAN network, brought back to size and blended in.
import type { NetworkRegistry } from '../../inference/registry.js';
import { resizeRgba } from '../image.js';
import { ssim } from '../metrics.js';
import type { Box, Face, RgbaImage } from '../types.js';
import { clamp255, clipBox } from './filters.js';

/** Faces whose box has a shorter edge than this (working-image pixels) are small enough to gain. */
export const SMALL_FACE = 160;
/** Margin around the face box, as a fraction of its size: hair line, ears and chin come along. */
const MARGIN = 0.2;
/**
 * A face whose half-resolution copy, scaled back up, is this similar to it (SSIM) holds no real
 * detail above half its pixel rate (an upscaled or soft photo): it is rebuilt from half size.
 */
const SOFT_FACE_SSIM = 0.95;

export interface SuperResolutionOptions {
  /** 0..1: blend of the restored face over the original. */
  strength: number;
  /**
   * Network scale. 2 by default: the slim ×4 network upsamples by nearest neighbour before its
   * last convolution and leaves a 4-pixel block pattern on flat skin and backdrops.
   */
  scale?: 2 | 4;
  /** Override SMALL_FACE. */
  maxFace?: number;
}

export interface SuperResolutionResult {
  applied: boolean;
  /** Why it was skipped, for the preparation notes. */
  note?: string;
  crop?: Box;
  /** 'rebuild': a soft face rebuilt from half size; 'restore': upscaled and brought back down. */
  mode?: 'rebuild' | 'restore';
  network_ms?: number;
}

/** The network for a scale, by manifest name. */
export function srNetworkName(scale: 2 | 4): string {
  return `esrgan-slim-x${scale}`;
}

/** Upscales an RGBA image by the network's scale (alpha is set opaque). Input and output 0..255. */
export async function upscale(img: RgbaImage, nets: NetworkRegistry, scale: 2 | 4 = 2): Promise<RgbaImage> {
  const [{ tf }, model] = await Promise.all([nets.runtime(), nets.layers(srNetworkName(scale))]);
  const { width: w, height: h } = img;
  const rgb = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    rgb[i * 3] = img.data[i * 4]!;
    rgb[i * 3 + 1] = img.data[i * 4 + 1]!;
    rgb[i * 3 + 2] = img.data[i * 4 + 2]!;
  }
  const input = tf.tensor4d(rgb, [1, h, w, 3]);
  const output = model.predict(input) as import('@tensorflow/tfjs-core').Tensor;
  let values: Float32Array;
  try {
    values = (await output.data()) as Float32Array;
  } finally {
    input.dispose();
    output.dispose();
  }
  const ow = w * scale;
  const oh = h * scale;
  const data = new Uint8Array(ow * oh * 4);
  for (let i = 0; i < ow * oh; i++) {
    data[i * 4] = clamp255(values[i * 3]!);
    data[i * 4 + 1] = clamp255(values[i * 3 + 1]!);
    data[i * 4 + 2] = clamp255(values[i * 3 + 2]!);
    data[i * 4 + 3] = 255;
  }
  return { width: ow, height: oh, data };
}

/**
 * Restores a small face in place: crop with margin, upscale (a soft face from half size), back to
 * size (Lanczos), and blend through an elliptical feathered mask so no seam shows. Skips (applied false, with a note) when
 * the face is large or the network is not available.
 */
export async function superResolveFace(
  img: RgbaImage,
  face: Face,
  nets: NetworkRegistry,
  opts: SuperResolutionOptions,
): Promise<SuperResolutionResult> {
  const strength = Math.min(1, Math.max(0, opts.strength));
  const scale = opts.scale ?? 2;
  const maxFace = opts.maxFace ?? SMALL_FACE;
  const b = face.box;
  if (strength === 0) return { applied: false, note: 'strength 0' };
  if (Math.min(b.width, b.height) >= maxFace) return { applied: false, note: `face is ${Math.round(Math.min(b.width, b.height))} px, large enough` };
  if (!(await nets.available(srNetworkName(scale)))) return { applied: false, note: `network ${srNetworkName(scale)} is not available` };
  const crop = clipBox(
    { x: b.x - b.width * MARGIN, y: b.y - b.height * MARGIN, width: b.width * (1 + 2 * MARGIN), height: b.height * (1 + 2 * MARGIN) },
    img.width,
    img.height,
  );
  if (crop.width < 8 || crop.height < 8) return { applied: false, note: 'face crop too small' };

  const src = cropRgba(img, crop);
  // A soft face gains visibly only when the network redraws it from fewer pixels; a sharp one is
  // upscaled as it is and brought back down, which cleans it without losing its real detail.
  const half = await resizeRgba(src, Math.max(4, Math.round(src.width / scale)), Math.max(4, Math.round(src.height / scale)));
  const soft = ssim(src, await resizeRgba(half, src.width, src.height)) >= SOFT_FACE_SSIM;
  const mode = soft ? 'rebuild' : 'restore';
  const t0 = performance.now();
  let up: RgbaImage;
  try {
    up = await upscale(soft ? half : src, nets, scale);
  } catch (err) {
    return { applied: false, note: `super-resolution failed: ${(err as Error).message}` };
  }
  const network_ms = Math.round(performance.now() - t0);
  const back = up.width === crop.width && up.height === crop.height ? up : await resizeRgba(up, crop.width, crop.height);
  blendEllipse(img, back, crop, strength);
  return { applied: true, crop, mode, network_ms };
}

function cropRgba(img: RgbaImage, r: Box): RgbaImage {
  const data = new Uint8Array(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) {
    const s = ((r.y + y) * img.width + r.x) * 4;
    data.set(img.data.subarray(s, s + r.width * 4), y * r.width * 4);
  }
  return { width: r.width, height: r.height, data };
}

/** Blends `patch` over the crop of `img`: full weight inside 75% of the inscribed ellipse, fading to 0 at its edge. */
function blendEllipse(img: RgbaImage, patch: RgbaImage, r: Box, strength: number): void {
  const cx = (r.width - 1) / 2;
  const cy = (r.height - 1) / 2;
  const rx = r.width / 2;
  const ry = r.height / 2;
  for (let y = 0; y < r.height; y++) {
    const dy = (y - cy) / ry;
    for (let x = 0; x < r.width; x++) {
      const dx = (x - cx) / rx;
      const dist = Math.sqrt(dx * dx + dy * dy);
      if (dist >= 1) continue;
      const t = dist <= 0.75 ? 1 : 1 - (dist - 0.75) / 0.25;
      const wgt = t * t * (3 - 2 * t) * strength;
      const o = ((r.y + y) * img.width + r.x + x) * 4;
      const p = (y * r.width + x) * 4;
      for (let c = 0; c < 3; c++) img.data[o + c] = clamp255(img.data[o + c]! + (patch.data[p + c]! - img.data[o + c]!) * wgt);
    }
  }
}
