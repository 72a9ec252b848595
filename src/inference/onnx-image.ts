// Runs an ONNX network on image pixels: resize, channel order, normalisation and layout in; mask or labels out.
import type { Mask, RgbaImage } from '../pipeline/types.js';
import { resizeRgba } from '../pipeline/image.js';
import { loadOrt, type OnnxSession } from './onnx.js';

export type TensorLayout = 'nchw' | 'nhwc';
export type Rgb = readonly [number, number, number];

export interface ImageInputOptions {
  /** Network input size [width, height]; the image is stretched to it (callers crop or letterbox first). */
  size: readonly [number, number];
  layout: TensorLayout;
  /** Per-channel mean and std in the units of `range`, subtracted and divided after scaling. */
  mean?: Rgb;
  std?: Rgb;
  /** Pixel values before normalisation: 0..1 (default) or 0..255. */
  range?: '0..1' | '0..255';
  /** Channel order the network was trained on (default rgb; Caffe-era networks use bgr). */
  channels?: 'rgb' | 'bgr';
}

export interface ImageNetworkOptions extends ImageInputOptions {
  /** Input name; default the network's first input. */
  input?: string;
  /** Output name; default the network's first output. */
  output?: string;
  /** Layout of the output; default the input's. */
  outputLayout?: TensorLayout;
}

/** One float output of a network with the facts needed to read it. */
export interface NetworkOutput {
  name: string;
  data: Float32Array;
  dims: readonly number[];
  layout: TensorLayout;
}

/** Packs RGBA pixels (already at the network size) into a normalised float tensor; alpha is dropped. */
export function packImage(image: RgbaImage, opts: Omit<ImageInputOptions, 'size'>): Float32Array {
  const { width: w, height: h, data } = image;
  const n = w * h;
  const out = new Float32Array(3 * n);
  const scale = (opts.range ?? '0..1') === '0..1' ? 1 / 255 : 1;
  const mean = opts.mean ?? [0, 0, 0];
  const std = opts.std ?? [1, 1, 1];
  const bgr = opts.channels === 'bgr';
  // Fold scale, mean and std into one multiply-add per channel.
  const mul = [scale / std[0], scale / std[1], scale / std[2]];
  const add = [-mean[0] / std[0], -mean[1] / std[1], -mean[2] / std[2]];
  for (let c = 0; c < 3; c++) {
    const src = bgr ? 2 - c : c;
    const m = mul[c]!;
    const a = add[c]!;
    if (opts.layout === 'nchw') {
      const base = c * n;
      for (let i = 0; i < n; i++) out[base + i] = data[i * 4 + src]! * m + a;
    } else {
      for (let i = 0; i < n; i++) out[i * 3 + c] = data[i * 4 + src]! * m + a;
    }
  }
  return out;
}

/** The image as the network's input tensor data: resized to `size`, then packed. */
export async function imageToTensorData(image: RgbaImage, opts: ImageInputOptions): Promise<Float32Array> {
  const [w, h] = opts.size;
  const sized = image.width === w && image.height === h ? image : await resizeRgba(image, w, h);
  return packImage(sized, opts);
}

/** Runs a network on one image and returns one float output. */
export async function runImageNetwork(net: OnnxSession, image: RgbaImage, opts: ImageNetworkOptions): Promise<NetworkOutput> {
  const ort = await loadOrt();
  const { session } = net;
  const inputName = opts.input ?? session.inputNames[0];
  const outputName = opts.output ?? session.outputNames[0];
  if (!inputName || !session.inputNames.includes(inputName)) {
    throw new Error(`Network ${net.source} has no input "${opts.input}" (inputs: ${session.inputNames.join(', ')})`);
  }
  if (!outputName || !session.outputNames.includes(outputName)) {
    throw new Error(`Network ${net.source} has no output "${opts.output}" (outputs: ${session.outputNames.join(', ')})`);
  }
  const [w, h] = opts.size;
  const dims = opts.layout === 'nchw' ? [1, 3, h, w] : [1, h, w, 3];
  checkInput(net, inputName, dims);
  const data = await imageToTensorData(image, opts);
  const feeds = { [inputName]: new ort.Tensor('float32', data, dims) };
  const result = await session.run(feeds, [outputName]);
  const t = result[outputName]!;
  if (t.type !== 'float32') throw new Error(`Network ${net.source}: output "${outputName}" is ${t.type}, expected float32`);
  return { name: outputName, data: t.data as Float32Array, dims: [...t.dims], layout: opts.outputLayout ?? opts.layout };
}

/** Refuses a mismatch between the requested tensor and the network's declared input, before onnxruntime does so obscurely. */
function checkInput(net: OnnxSession, name: string, dims: number[]): void {
  const meta = net.session.inputMetadata.find((m) => m.name === name);
  if (!meta || !meta.isTensor) return;
  if (meta.type !== 'float32') {
    throw new Error(`Network ${net.source}: input "${name}" is ${meta.type}; runImageNetwork feeds float32`);
  }
  const shape = meta.shape;
  const bad = shape.length !== dims.length || shape.some((d, i) => typeof d === 'number' && d > 0 && d !== dims[i]);
  if (bad) {
    throw new Error(`Network ${net.source}: input "${name}" has shape [${shape.join(', ')}], but size/layout give [${dims.join(', ')}]. Check size and layout.`);
  }
}

/** Channels, height and width of a batch-of-one output in the given layout. */
export function outputPlanes(out: NetworkOutput): { c: number; h: number; w: number } {
  const d = out.dims;
  if (d.length === 4) {
    if (d[0] !== 1) throw new Error(`Output "${out.name}" has batch ${d[0]}; expected 1`);
    return out.layout === 'nchw' ? { c: d[1]!, h: d[2]!, w: d[3]! } : { c: d[3]!, h: d[1]!, w: d[2]! };
  }
  if (d.length === 3) return { c: 1, h: d[1]!, w: d[2]! };
  if (d.length === 2) return { c: 1, h: d[0]!, w: d[1]! };
  throw new Error(`Output "${out.name}" has shape [${d.join(', ')}]; expected an image-shaped tensor`);
}

/** One channel of an output as a plane of floats, row-major. */
export function outputChannel(out: NetworkOutput, channel = 0): Float32Array {
  const { c, h, w } = outputPlanes(out);
  if (channel < 0 || channel >= c) throw new Error(`Output "${out.name}" has ${c} channels; asked for channel ${channel}`);
  const n = h * w;
  if (out.layout === 'nchw' || c === 1) return out.data.subarray(channel * n, channel * n + n);
  const plane = new Float32Array(n);
  for (let i = 0; i < n; i++) plane[i] = out.data[i * c + channel]!;
  return plane;
}

export interface MaskOptions {
  channel?: number;
  /** The network gives logits; squash them to 0..1 first. */
  sigmoid?: boolean;
  /** Size of the returned mask (default the output's); the plane is upsampled bilinearly before quantising. */
  width?: number;
  height?: number;
}

/** An output channel of probabilities (0..1) as a Mask (0..255). */
export function outputToMask(out: NetworkOutput, opts: MaskOptions = {}): Mask {
  const { h, w } = outputPlanes(out);
  let plane = outputChannel(out, opts.channel ?? 0);
  if (opts.sigmoid) plane = plane.map((v) => 1 / (1 + Math.exp(-v)));
  const W = opts.width ?? w;
  const H = opts.height ?? h;
  const src = W === w && H === h ? plane : resizePlane(plane, w, h, W, H);
  const data = new Uint8Array(W * H);
  for (let i = 0; i < data.length; i++) {
    const v = src[i]! * 255;
    data[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return { width: W, height: H, data };
}

/** Per-pixel argmax over an output's channels (a parser's class scores) as class indices, nearest-neighbour scaled. */
export function outputToLabels(out: NetworkOutput, opts: { width?: number; height?: number } = {}): { width: number; height: number; data: Uint8Array } {
  const { c, h, w } = outputPlanes(out);
  if (c > 256) throw new Error(`Output "${out.name}" has ${c} classes; labels are stored in bytes`);
  const n = h * w;
  const small = new Uint8Array(n);
  const chw = out.layout === 'nchw';
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestV = -Infinity;
    for (let k = 0; k < c; k++) {
      const v = out.data[chw ? k * n + i : i * c + k]!;
      if (v > bestV) {
        bestV = v;
        best = k;
      }
    }
    small[i] = best;
  }
  const W = opts.width ?? w;
  const H = opts.height ?? h;
  if (W === w && H === h) return { width: w, height: h, data: small };
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / H));
    for (let x = 0; x < W; x++) data[y * W + x] = small[sy * w + Math.min(w - 1, Math.floor(((x + 0.5) * w) / W))]!;
  }
  return { width: W, height: H, data };
}

/** Bilinear resampling of a float plane with pixel centres aligned (half-pixel convention). */
export function resizePlane(src: Float32Array, w: number, h: number, W: number, H: number): Float32Array {
  const out = new Float32Array(W * H);
  const sx = w / W;
  const sy = h / H;
  for (let y = 0; y < H; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const top = src[y0 * w + x0]! * (1 - tx) + src[y0 * w + x1]! * tx;
      const bot = src[y1 * w + x0]! * (1 - tx) + src[y1 * w + x1]! * tx;
      out[y * W + x] = top * (1 - ty) + bot * ty;
    }
  }
  return out;
}
