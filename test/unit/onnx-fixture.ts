// Builds tiny ONNX networks with known weights (onnx-proto), so the ONNX path is tested without downloads.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as { onnx: typeof OnnxNs };

const FLOAT = onnx.TensorProto.DataType.FLOAT;

type Dim = number | string;

function valueInfo(name: string, shape: Dim[]): OnnxNs.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function tensor(name: string, dims: number[], values: number[]): OnnxNs.ITensorProto {
  return { name, dims, dataType: FLOAT, floatData: values };
}

function encode(graph: OnnxNs.IGraphProto): Uint8Array {
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], producerName: 'tryon-tests', graph });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * NCHW network: a 1x1 convolution with `weights` (out x 3) and `bias` (out), input [1,3,h,w] with
 * free h and w, output [1,out,h,w]. out[k] = sum_c weights[k][c] * in[c] + bias[k].
 */
export function conv1x1Network(weights: number[][], bias: number[]): Uint8Array {
  const out = weights.length;
  return encode({
    name: 'conv1x1',
    node: [{ opType: 'Conv', input: ['image', 'W', 'B'], output: ['scores'], name: 'conv' }],
    initializer: [tensor('W', [out, 3, 1, 1], weights.flat()), tensor('B', [out], bias)],
    input: [valueInfo('image', [1, 3, 'h', 'w'])],
    output: [valueInfo('scores', [1, out, 'h', 'w'])],
  });
}

/**
 * NHWC network with a fixed input size: [1,h,w,3] -> MatMul by `weights` (3 x 1) -> Mul by `gain`
 * -> Add `bias` -> [1,h,w,1]. Two outputs: "mask" (that value) and "logits" (the MatMul alone).
 */
export function nhwcNetwork(h: number, w: number, weights: [number, number, number], gain: number, bias: number): Uint8Array {
  return encode({
    name: 'nhwc',
    node: [
      { opType: 'MatMul', input: ['pixels', 'W'], output: ['logits'], name: 'matmul' },
      { opType: 'Mul', input: ['logits', 'G'], output: ['scaled'], name: 'mul' },
      { opType: 'Add', input: ['scaled', 'B'], output: ['mask'], name: 'add' },
    ],
    initializer: [tensor('W', [3, 1], weights), tensor('G', [1], [gain]), tensor('B', [1], [bias])],
    input: [valueInfo('pixels', [1, h, w, 3])],
    output: [valueInfo('mask', [1, h, w, 1]), valueInfo('logits', [1, h, w, 1])],
  });
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
