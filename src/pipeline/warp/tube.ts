// Sleeve as a tube: a flat sleeve strip (cap to cuff) onto the arm's centre line with its widths.
import type { Box, Point } from '../types.js';
import type { WarpMap } from './grid.js';
import { meshWarp, type QuadMesh } from './mesh.js';

/** The flat sleeve in the garment photo: its two side edges, each from cap to cuff. */
export interface SleeveStrip {
  a: Point[];
  b: Point[];
}

/** Where the sleeve goes: the arm's centre line (shoulder to wrist) and half the width there. */
export interface ArmTube {
  centre: Point[];
  /** One per centre point: half the sleeve width at that point, pixels (arm plus ease). */
  halfWidth: number[];
}

export interface TubeOptions {
  /** Stations along the tube; default one every ~6 px of centre line, at least 8. */
  stations?: number;
  /** Nodes across the tube (≥ 2). */
  across?: number;
  /**
   * Arc length over which the tube's direction turns at a bend; default 2 × the largest half
   * width, which keeps the inner side of a bend of up to ~120° from folding back on itself.
   */
  bendLength?: number;
}

/**
 * Builds matching quad meshes for the strip and the tube. Side a goes to whichever side of the
 * tube keeps the sleeve unmirrored, so the print reads the same way as on the flat garment.
 */
export function tubeMeshes(strip: SleeveStrip, tube: ArmTube, opts: TubeOptions = {}): { src: QuadMesh; dst: QuadMesh } {
  if (strip.a.length < 2 || strip.b.length < 2) throw new Error('tubeMeshes: each strip side needs at least two points');
  if (tube.centre.length < 2) throw new Error('tubeMeshes: the tube centre needs at least two points');
  if (tube.halfWidth.length !== tube.centre.length) throw new Error('tubeMeshes: one half width per centre point');
  const centre = new Polyline(tube.centre);
  const sideA = new Polyline(strip.a);
  const sideB = new Polyline(strip.b);
  const m = Math.max(2, opts.stations ?? Math.max(8, Math.ceil(centre.total / 6) + 1));
  const k = Math.max(2, opts.across ?? 2);
  let maxHw = 0;
  for (const v of tube.halfWidth) maxHw = Math.max(maxHw, v);
  const bend = Math.max(1e-6, opts.bendLength ?? 2 * maxHw);

  const src: QuadMesh = { cols: k, rows: m, x: new Float64Array(k * m), y: new Float64Array(k * m) };
  const dst: QuadMesh = { cols: k, rows: m, x: new Float64Array(k * m), y: new Float64Array(k * m) };
  const pa = new Float64Array(2);
  const pb = new Float64Array(2);
  const pc = new Float64Array(2);
  const p0 = new Float64Array(2);
  const p1 = new Float64Array(2);

  // Does side a lie to the left (+normal) of the strip's direction? Match that on the body.
  sideA.at(0.5 * sideA.total, pa);
  sideB.at(0.5 * sideB.total, pb);
  const dirX = sideA.last.x + sideB.last.x - sideA.first.x - sideB.first.x;
  const dirY = sideA.last.y + sideB.last.y - sideA.first.y - sideB.first.y;
  const sign = dirX * (pa[1]! - pb[1]!) - dirY * (pa[0]! - pb[0]!) >= 0 ? 1 : -1;

  for (let r = 0; r < m; r++) {
    const t = r / (m - 1);
    sideA.at(t * sideA.total, pa);
    sideB.at(t * sideB.total, pb);
    const s = t * centre.total;
    centre.at(s, pc);
    const hw = centre.interpolate(s, tube.halfWidth);
    // The mean unit tangent over a window is the chord across it: a smooth turn at any corner.
    centre.at(Math.max(0, s - bend), p0);
    centre.at(Math.min(centre.total, s + bend), p1);
    let tx = p1[0]! - p0[0]!;
    let ty = p1[1]! - p0[1]!;
    const len = Math.hypot(tx, ty) || 1;
    tx /= len;
    ty /= len;
    const nx = -ty * sign;
    const ny = tx * sign;
    for (let c = 0; c < k; c++) {
      const q = c / (k - 1);
      const o = r * k + c;
      src.x[o] = pa[0]! + (pb[0]! - pa[0]!) * q;
      src.y[o] = pa[1]! + (pb[1]! - pa[1]!) * q;
      const off = hw * (1 - 2 * q);
      dst.x[o] = pc[0]! + nx * off;
      dst.y[o] = pc[1]! + ny * off;
    }
  }
  return { src, dst };
}

/** The sampling map that lays the sleeve strip along the arm tube (see tubeMeshes). */
export function stripToPolyline(strip: SleeveStrip, tube: ArmTube, opts: TubeOptions & { box?: Box } = {}): WarpMap {
  const { src, dst } = tubeMeshes(strip, tube, opts);
  return opts.box ? meshWarp(src, dst, opts.box) : meshWarp(src, dst);
}

/** A polyline addressed by arc length. */
class Polyline {
  readonly cum: Float64Array;
  readonly total: number;
  constructor(readonly pts: Point[]) {
    this.cum = new Float64Array(pts.length);
    for (let i = 1; i < pts.length; i++) {
      this.cum[i] = this.cum[i - 1]! + Math.hypot(pts[i]!.x - pts[i - 1]!.x, pts[i]!.y - pts[i - 1]!.y);
    }
    this.total = this.cum[pts.length - 1]!;
  }
  get first(): Point {
    return this.pts[0]!;
  }
  get last(): Point {
    return this.pts[this.pts.length - 1]!;
  }
  /** Segment index and fraction at arc length s. */
  private locate(s: number): [number, number] {
    const n = this.pts.length;
    if (this.total <= 0) return [0, 0];
    let i = 0;
    while (i < n - 2 && this.cum[i + 1]! < s) i++;
    const seg = this.cum[i + 1]! - this.cum[i]!;
    const f = seg > 0 ? Math.min(1, Math.max(0, (s - this.cum[i]!) / seg)) : 0;
    return [i, f];
  }
  at(s: number, out: Float64Array): void {
    const [i, f] = this.locate(s);
    const a = this.pts[i]!;
    const b = this.pts[Math.min(i + 1, this.pts.length - 1)]!;
    out[0] = a.x + (b.x - a.x) * f;
    out[1] = a.y + (b.y - a.y) * f;
  }
  interpolate(s: number, values: number[]): number {
    const [i, f] = this.locate(s);
    const a = values[i]!;
    const b = values[Math.min(i + 1, values.length - 1)]!;
    return a + (b - a) * f;
  }
}
