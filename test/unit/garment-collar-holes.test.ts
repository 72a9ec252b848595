// The inside of the back seen through the neck opening keeps what it encloses (its pale label), not what cuts into it from outside.
import { describe, expect, it } from 'vitest';
import { fillHoles } from '../../src/pipeline/garment/collar.js';

describe('fillHoles', () => {
  it('sets a region\'s enclosed gaps (a label) and leaves gaps open to its bounding box (a notch) and the outside alone', () => {
    const w = 60, h = 40;
    const region = new Uint8Array(w * h);
    // The dark inside of the back: x 10–49, y 5–29.
    for (let y = 5; y < 30; y++) for (let x = 10; x < 50; x++) region[y * w + x] = 1;
    // A pale label inside it (x 25–32, y 8–20), and a notch from its bottom edge (x 40–44, y 22–29).
    for (let y = 8; y <= 20; y++) for (let x = 25; x <= 32; x++) region[y * w + x] = 0;
    for (let y = 22; y < 30; y++) for (let x = 40; x <= 44; x++) region[y * w + x] = 0;
    fillHoles(region, w, h);
    for (const [x, y] of [[25, 8], [28, 14], [32, 20]]) expect(region[y * w + x], `label (${x}, ${y})`).toBe(1);
    for (const [x, y] of [[40, 29], [42, 25], [44, 22]]) expect(region[y * w + x], `notch (${x}, ${y})`).toBe(0);
    for (const [x, y] of [[5, 5], [55, 20], [30, 35]]) expect(region[y * w + x], `outside (${x}, ${y})`).toBe(0);
  });

  it('leaves an empty region empty', () => {
    const region = new Uint8Array(20 * 10);
    fillHoles(region, 20, 10);
    expect(region.every((v) => v === 0)).toBe(true);
  });
});
