// Thin-plate spline through point correspondences: fit once, then map any number of points.
import type { Point } from '../types.js';

/** A fitted smooth map of the plane. */
export interface PlaneMap {
  /** Maps one point (allocates; for non-hot code). */
  map(p: Point): Point;
  /** Maps (x, y) into out[0], out[1]; no allocation, for per-pixel or per-grid-node loops. */
  mapInto(x: number, y: number, out: Float32Array | Float64Array): void;
}

/** A fitted thin-plate spline, with how much it bends (0 for an affine map). */
export interface Tps extends PlaneMap {
  /** Bending energy wᵀKw summed over x and y, in normalised units; 0 when the map is affine. */
  bendingEnergy: number;
}

/**
 * Fits a thin-plate spline f with f(src[i]) ≈ dst[i]. With lambda = 0 it interpolates exactly;
 * lambda > 0 trades exactness for smoothness (the unit is the normalised coordinate frame, so
 * the same lambda behaves alike at any image size; 0.01–1 is a useful range).
 *
 * Rendering samples the garment for each output pixel, so the render stage fits body→garment:
 * `fitTps(bodyPoints, garmentPoints)` (see fitInverseTps).
 * Fewer than three points, or all points on one line, give the best similarity transform instead.
 */
export function fitTps(src: Point[], dst: Point[], lambda = 0): Tps {
  if (src.length !== dst.length) throw new Error(`fitTps: ${src.length} source points but ${dst.length} destination points`);
  const n = src.length;
  if (n < 3) return similarityMap(src, dst);

  // Normalise so the kernel's r² log r² is well scaled and lambda is size-independent.
  let cx = 0;
  let cy = 0;
  for (const p of src) {
    cx += p.x;
    cy += p.y;
  }
  cx /= n;
  cy /= n;
  let s = 0;
  for (const p of src) s += Math.hypot(p.x - cx, p.y - cy);
  s = s / n || 1;
  const inv = 1 / s;
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    px[i] = (src[i]!.x - cx) * inv;
    py[i] = (src[i]!.y - cy) * inv;
  }

  const m = n + 3;
  const a = new Float64Array(m * m);
  const rhs = new Float64Array(m * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[i * m + j] = kernel(px[i]! - px[j]!, py[i]! - py[j]!);
    a[i * m + i] += lambda;
    a[i * m + n] = 1;
    a[i * m + n + 1] = px[i]!;
    a[i * m + n + 2] = py[i]!;
    a[n * m + i] = 1;
    a[(n + 1) * m + i] = px[i]!;
    a[(n + 2) * m + i] = py[i]!;
    rhs[i * 2] = dst[i]!.x;
    rhs[i * 2 + 1] = dst[i]!.y;
  }
  // The solve destroys `a`; keep K (without lambda) for the bending energy.
  const kernelCopy = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) kernelCopy[i * n + j] = i === j ? 0 : a[i * m + j]!;
  if (!solveInPlace(a, rhs, m, 2)) return similarityMap(src, dst);

  const wx = new Float64Array(n);
  const wy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    wx[i] = rhs[i * 2]!;
    wy[i] = rhs[i * 2 + 1]!;
  }
  const ax0 = rhs[n * 2]!;
  const ax1 = rhs[(n + 1) * 2]!;
  const ax2 = rhs[(n + 2) * 2]!;
  const ay0 = rhs[n * 2 + 1]!;
  const ay1 = rhs[(n + 1) * 2 + 1]!;
  const ay2 = rhs[(n + 2) * 2 + 1]!;

  let bendingEnergy = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = kernelCopy[i * n + j]!;
      bendingEnergy += k * (wx[i]! * wx[j]! + wy[i]! * wy[j]!);
    }
  }

  const mapInto = (x: number, y: number, out: Float32Array | Float64Array): void => {
    const u = (x - cx) * inv;
    const v = (y - cy) * inv;
    let fx = ax0 + ax1 * u + ax2 * v;
    let fy = ay0 + ay1 * u + ay2 * v;
    for (let i = 0; i < n; i++) {
      const k = kernel(u - px[i]!, v - py[i]!);
      fx += wx[i]! * k;
      fy += wy[i]! * k;
    }
    out[0] = fx;
    out[1] = fy;
  };
  return { mapInto, map: mapOf(mapInto), bendingEnergy: Math.abs(bendingEnergy) };
}

/**
 * The map the renderer needs: for a point on the body (output), where to sample the garment.
 * garment[i] is a garment landmark and body[i] the place it must land on.
 */
export function fitInverseTps(garment: Point[], body: Point[], lambda = 0): Tps {
  return fitTps(body, garment, lambda);
}

/** U(r) = r² log r², written with r² so no square root is taken. */
function kernel(dx: number, dy: number): number {
  const r2 = dx * dx + dy * dy;
  return r2 > 1e-20 ? r2 * Math.log(r2) : 0;
}

function mapOf(mapInto: PlaneMap['mapInto']): PlaneMap['map'] {
  return (p) => {
    const out = new Float64Array(2);
    mapInto(p.x, p.y, out);
    return { x: out[0]!, y: out[1]! };
  };
}

/** Gaussian elimination with partial pivoting; rhs has `cols` columns. False when singular. */
function solveInPlace(a: Float64Array, rhs: Float64Array, m: number, cols: number): boolean {
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]!));
  const tiny = 1e-12 * (scale || 1);
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r * m + c]!) > Math.abs(a[piv * m + c]!)) piv = r;
    if (Math.abs(a[piv * m + c]!) < tiny) return false;
    if (piv !== c) {
      for (let k = 0; k < m; k++) {
        const t = a[c * m + k]!;
        a[c * m + k] = a[piv * m + k]!;
        a[piv * m + k] = t;
      }
      for (let k = 0; k < cols; k++) {
        const t = rhs[c * cols + k]!;
        rhs[c * cols + k] = rhs[piv * cols + k]!;
        rhs[piv * cols + k] = t;
      }
    }
    const d = a[c * m + c]!;
    for (let r = c + 1; r < m; r++) {
      const f = a[r * m + c]! / d;
      if (f === 0) continue;
      for (let k = c; k < m; k++) a[r * m + k] -= f * a[c * m + k]!;
      for (let k = 0; k < cols; k++) rhs[r * cols + k] -= f * rhs[c * cols + k]!;
    }
  }
  for (let c = m - 1; c >= 0; c--) {
    for (let k = 0; k < cols; k++) {
      let v = rhs[c * cols + k]!;
      for (let j = c + 1; j < m; j++) v -= a[c * m + j]! * rhs[j * cols + k]!;
      rhs[c * cols + k] = v / a[c * m + c]!;
    }
  }
  return true;
}

/** Least-squares similarity (rotation, uniform scale, translation); identity for no points. */
function similarityMap(src: Point[], dst: Point[]): Tps {
  const n = src.length;
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]!.x;
    sy += src[i]!.y;
    dx += dst[i]!.x;
    dy += dst[i]!.y;
  }
  if (n > 0) {
    sx /= n;
    sy /= n;
    dx /= n;
    dy /= n;
  }
  let a = 0;
  let b = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const ux = src[i]!.x - sx;
    const uy = src[i]!.y - sy;
    const vx = dst[i]!.x - dx;
    const vy = dst[i]!.y - dy;
    a += ux * vx + uy * vy;
    b += ux * vy - uy * vx;
    den += ux * ux + uy * uy;
  }
  // One point (or coincident points): a translation.
  if (den < 1e-12) {
    a = 1;
    b = 0;
  } else {
    a /= den;
    b /= den;
  }
  const mapInto = (x: number, y: number, out: Float32Array | Float64Array): void => {
    const ux = x - sx;
    const uy = y - sy;
    out[0] = dx + a * ux - b * uy;
    out[1] = dy + b * ux + a * uy;
  };
  return { mapInto, map: mapOf(mapInto), bendingEnergy: 0 };
}
