// Mesh warp: a quad grid of garment points onto a quad grid of output points, piecewise bilinear.
import type { Box, Point } from '../types.js';
import { boundsOf, newWarpMap, type WarpMap } from './grid.js';

/** A grid of cols × rows nodes; node (i, j) is at index j * cols + i. Quads join neighbouring nodes. */
export interface QuadMesh {
  cols: number;
  rows: number;
  x: Float64Array;
  y: Float64Array;
}

export function meshFromPoints(cols: number, rows: number, points: Point[]): QuadMesh {
  if (points.length !== cols * rows) throw new Error(`meshFromPoints: ${points.length} points for a ${cols}×${rows} grid`);
  const x = new Float64Array(points.length);
  const y = new Float64Array(points.length);
  points.forEach((p, i) => {
    x[i] = p.x;
    y[i] = p.y;
  });
  return { cols, rows, x, y };
}

/**
 * Inverse-maps every output pixel covered by the dst mesh to the matching place in the src mesh:
 * inside each quad, the output pixel's bilinear coordinates (u, v) in the dst quad are found
 * analytically and the same (u, v) is evaluated in the src quad. Where dst quads overlap (a folded
 * mesh) the later quad wins. Pixels no quad covers are NaN.
 */
export function meshWarp(src: QuadMesh, dst: QuadMesh, box: Box = boundsOf(dst.x, dst.y)): WarpMap {
  if (src.cols !== dst.cols || src.rows !== dst.rows) throw new Error('meshWarp: source and destination grids differ in size');
  const out = newWarpMap(box);
  const { width: w, height: h, mapX, mapY } = out;
  const bx = out.box.x;
  const by = out.box.y;
  const uv = new Float64Array(2);
  const cols = dst.cols;
  // Which quad set each pixel (index + 1), for the edge pass; every quad's parameters, computed once.
  const quadOf = new Int32Array(w * h);
  const table = new Float64Array(dst.rows * cols * QUAD_FIELDS);
  for (let j = 0; j + 1 < dst.rows; j++) {
    for (let i = 0; i + 1 < cols; i++) {
      const a = j * cols + i;
      const q = table.subarray(a * QUAD_FIELDS, (a + 1) * QUAD_FIELDS);
      quadParams(src, dst, a, q);
      const ax = q[0]!, ay = q[1]!;
      const x0 = Math.max(0, Math.floor(q[QX0]!) - bx);
      const x1 = Math.min(w - 1, Math.ceil(q[QX1]!) - bx);
      const y0 = Math.max(0, Math.floor(q[QY0]!) - by);
      const y1 = Math.min(h - 1, Math.ceil(q[QY1]!) - by);
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          if (!inverseBilinear(x + bx - ax, y + by - ay, q[2]!, q[3]!, q[4]!, q[5]!, q[6]!, q[7]!, uv)) continue;
          const o = y * w + x;
          mapX[o] = srcAt(q, uv[0]!, uv[1]!, 0);
          mapY[o] = srcAt(q, uv[0]!, uv[1]!, 1);
          quadOf[o] = a + 1;
        }
      }
    }
  }
  out.coverage = edgeCoverage(table, out, quadOf);
  return out;
}

/**
 * Coverage in quarters from four sub-pixel samples, on the mesh's outline only (pixels inside with an
 * outside neighbour, and outside pixels with an inside one): the outline is anti-aliased rather than
 * stair-stepped, and the inside costs nothing. An outside pixel partly covered takes the source of its
 * covered sample, carried back to its centre by that quad's local Jacobian.
 */
function edgeCoverage(table: Float64Array, map: WarpMap, quadOf: Int32Array): Uint8Array {
  const { width: w, height: h, mapX, mapY } = map;
  const bx = map.box.x, by = map.box.y;
  const cov = new Uint8Array(w * h);
  for (let i = 0; i < cov.length; i++) if (quadOf[i]) cov[i] = 4;
  const uv = new Float64Array(2);
  const quad = (a: number) => table.subarray(a * QUAD_FIELDS, (a + 1) * QUAD_FIELDS);
  const cand: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * w + x;
      const inside = quadOf[o]! > 0;
      cand.length = 0;
      let border = false;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx, yy = y + dy;
          const nq = xx >= 0 && yy >= 0 && xx < w && yy < h ? quadOf[yy * w + xx]! : 0;
          if ((nq > 0) !== inside) border = true;
          if (nq > 0 && !cand.includes(nq)) cand.push(nq);
        }
      }
      if (!border || cand.length === 0) continue;
      let k = 0, hit = -1, sox = 0, soy = 0, su = 0, sv = 0;
      for (const [ox, oy] of SUB) {
        for (const c of cand) {
          const q = quad(c - 1);
          if (!inverseBilinear(x + bx + ox - q[0]!, y + by + oy - q[1]!, q[2]!, q[3]!, q[4]!, q[5]!, q[6]!, q[7]!, uv)) continue;
          k++;
          if (hit < 0) { hit = c - 1; sox = ox; soy = oy; su = uv[0]!; sv = uv[1]!; }
          break;
        }
      }
      cov[o] = k;
      if (!inside && k > 0) {
        const q = quad(hit);
        mapX[o] = srcAt(q, su, sv, 0) - (q[QJXX]! * sox + q[QJXY]! * soy);
        mapY[o] = srcAt(q, su, sv, 1) - (q[QJYX]! * sox + q[QJYY]! * soy);
      }
    }
  }
  return cov;
}

// Quad parameters: a (0, 1), e (2, 3), f (4, 5), g (6, 7), source corners a b c d (8..15), the
// destination bounding box, and the source displacement per output pixel (the quad taken as the
// parallelogram at corner a).
const QX0 = 16, QX1 = 17, QY0 = 18, QY1 = 19, QJXX = 20, QJXY = 21, QJYX = 22, QJYY = 23, QUAD_FIELDS = 24;

function quadParams(src: QuadMesh, dst: QuadMesh, a: number, q: Float64Array): void {
  const cols = dst.cols;
  const b = a + 1, c = a + cols + 1, d = a + cols;
  const ax = dst.x[a]!, ay = dst.y[a]!;
  const ex = dst.x[b]! - ax, ey = dst.y[b]! - ay;
  const fx = dst.x[d]! - ax, fy = dst.y[d]! - ay;
  q[0] = ax; q[1] = ay; q[2] = ex; q[3] = ey; q[4] = fx; q[5] = fy;
  q[6] = ax - dst.x[b]! + dst.x[c]! - dst.x[d]!;
  q[7] = ay - dst.y[b]! + dst.y[c]! - dst.y[d]!;
  q[8] = src.x[a]!; q[9] = src.y[a]!; q[10] = src.x[b]!; q[11] = src.y[b]!;
  q[12] = src.x[c]!; q[13] = src.y[c]!; q[14] = src.x[d]!; q[15] = src.y[d]!;
  q[QX0] = Math.min(ax, dst.x[b]!, dst.x[c]!, dst.x[d]!);
  q[QX1] = Math.max(ax, dst.x[b]!, dst.x[c]!, dst.x[d]!);
  q[QY0] = Math.min(ay, dst.y[b]!, dst.y[c]!, dst.y[d]!);
  q[QY1] = Math.max(ay, dst.y[b]!, dst.y[c]!, dst.y[d]!);
  const det = ex * fy - ey * fx || 1e-12;
  const sbx = q[10]! - q[8]!, sby = q[11]! - q[9]!, sdx = q[14]! - q[8]!, sdy = q[15]! - q[9]!;
  q[QJXX] = (sbx * fy - sdx * ey) / det; q[QJXY] = (sdx * ex - sbx * fx) / det;
  q[QJYX] = (sby * fy - sdy * ey) / det; q[QJYY] = (sdy * ex - sby * fx) / det;
}

/** Source coordinate k (0 = x, 1 = y) at (u, v) of the quad. */
function srcAt(q: Float64Array, u: number, v: number, k: number): number {
  return (1 - v) * ((1 - u) * q[8 + k]! + u * q[10 + k]!) + v * ((1 - u) * q[14 + k]! + u * q[12 + k]!);
}

const EPS = 1e-6;
/** Sub-pixel sample offsets (a rotated grid) for edge coverage. */
const SUB: readonly (readonly [number, number])[] = [[-0.375, -0.125], [0.125, -0.375], [0.375, 0.125], [-0.125, 0.375]];

/**
 * Solves h = e·u + f·v + g·u·v for (u, v) in the unit square (h, e, f, g relative to corner a;
 * b = a + e, d = a + f, c = a + e + f + g). Returns false when the point is outside the quad.
 */
function inverseBilinear(
  hx: number,
  hy: number,
  ex: number,
  ey: number,
  fx: number,
  fy: number,
  gx: number,
  gy: number,
  out: Float64Array,
): boolean {
  const k2 = gx * fy - gy * fx;
  const k1 = ex * fy - ey * fx + hx * gy - hy * gx;
  const k0 = hx * ey - hy * ex;
  if (Math.abs(k2) < 1e-9 * (Math.abs(k1) + 1e-12)) {
    // Parallelogram (or close): the equation in v is linear.
    if (Math.abs(k1) < 1e-12) return false;
    return accept(-k0 / k1, hx, hy, ex, ey, fx, fy, gx, gy, out);
  }
  let disc = k1 * k1 - 4 * k0 * k2;
  if (disc < 0) {
    if (disc < -1e-9 * k1 * k1) return false;
    disc = 0;
  }
  const r = Math.sqrt(disc);
  const i2 = 0.5 / k2;
  return accept((-k1 - r) * i2, hx, hy, ex, ey, fx, fy, gx, gy, out) || accept((-k1 + r) * i2, hx, hy, ex, ey, fx, fy, gx, gy, out);
}

function accept(
  v: number,
  hx: number,
  hy: number,
  ex: number,
  ey: number,
  fx: number,
  fy: number,
  gx: number,
  gy: number,
  out: Float64Array,
): boolean {
  if (v < -EPS || v > 1 + EPS) return false;
  const dx = ex + gx * v;
  const dy = ey + gy * v;
  // Divide by the larger component of the u direction to stay stable on axis-aligned edges.
  const u = Math.abs(dx) >= Math.abs(dy) ? (hx - fx * v) / dx : (hy - fy * v) / dy;
  if (!(u >= -EPS && u <= 1 + EPS)) return false;
  out[0] = u < 0 ? 0 : u > 1 ? 1 : u;
  out[1] = v < 0 ? 0 : v > 1 ? 1 : v;
  return true;
}
