// Runs one tfjs graph network on one prepared input and reads every output back as plain arrays.
import type { NetworkRegistry } from '../../inference/registry.js';

export interface NetOutput {
  shape: number[];
  data: Float32Array;
}

/** Executes `name` on a [1,size,size,3] input; outputs come back in the graph's output order. */
export async function runNetwork(
  nets: NetworkRegistry,
  name: string,
  input: Float32Array | Int32Array,
  size: number,
): Promise<NetOutput[]> {
  const [{ tf }, graph] = await Promise.all([nets.runtime(), nets.graph(name)]);
  const x = tf.tensor(input, [1, size, size, 3], input instanceof Int32Array ? 'int32' : 'float32');
  try {
    const res = graph.execute(x);
    const list = Array.isArray(res) ? res : [res];
    const out: NetOutput[] = [];
    for (const t of list) {
      const d = await t.data();
      out.push({ shape: t.shape, data: d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>) });
      t.dispose();
    }
    return out;
  } finally {
    x.dispose();
  }
}
