// Print sharpening: more gradient energy inside the garment mask, not one pixel changed outside it.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { sharpenInMask } from '../../src/pipeline/enhance/sharpen.js';
import { decodeImage } from '../../src/pipeline/image.js';
import type { Mask, RgbaImage } from '../../src/pipeline/types.js';

function gradientEnergy(img: RgbaImage, mask: Mask, inside: boolean): number {
  const w = img.width;
  const g = (i: number) => img.data[i * 4 + 1]!;
  let e = 0;
  let n = 0;
  for (let y = 0; y < img.height - 1; y++) {
    for (let x = 0; x < w - 1; x++) {
      const i = y * w + x;
      if (mask.data[i]! > 0 !== inside || mask.data[i + 1]! > 0 !== inside || mask.data[i + w]! > 0 !== inside) continue;
      e += (g(i + 1) - g(i)) ** 2 + (g(i + w) - g(i)) ** 2;
      n++;
    }
  }
  return e / n;
}

it('raises gradient energy inside the mask and leaves the outside byte-equal', async () => {
  const { image } = await decodeImage(readFileSync('samples/models/cgi-model-9.jpg'));
  // A soft-edged disc as the garment region: the feathered rim sharpens by its weight.
  const mask: Mask = { width: image.width, height: image.height, data: new Uint8Array(image.width * image.height) };
  const cx = image.width / 2;
  const cy = image.height / 2;
  const r = Math.min(image.width, image.height) / 4;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const d = Math.hypot(x - cx, y - cy);
      mask.data[y * image.width + x] = d < r ? 255 : d < r + 8 ? Math.round(255 * (1 - (d - r) / 8)) : 0;
    }
  }
  const out = { ...image, data: image.data.slice() };
  sharpenInMask(out, mask, { amount: 0.8 });
  const before = gradientEnergy(image, mask, true);
  const after = gradientEnergy(out, mask, true);
  console.log(`gradient energy in mask ${before.toFixed(1)} → ${after.toFixed(1)}`);
  expect(after).toBeGreaterThan(before * 1.2);
  let changedOutside = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i] === 0 && (out.data[i * 4] !== image.data[i * 4] || out.data[i * 4 + 1] !== image.data[i * 4 + 1] || out.data[i * 4 + 2] !== image.data[i * 4 + 2])) changedOutside++;
  expect(changedOutside).toBe(0);
  expect(gradientEnergy(out, mask, false)).toBe(gradientEnergy(image, mask, false));
});
