// Each ACT2FN activation as a graph node against the formula of transformers 4.36's activations.py,
// computed here in float64 (https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/activations.py).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DENSE_ACTIVATIONS, type DenseActFn } from '../../model/index.js';
import { openGraphSession } from '../session/ort.js';
import { activation } from './activations.js';
import { GraphBuilder } from './proto.js';

// Abramowitz-Stegun 7.1.26 is too coarse for 1e-5; erf from its Maclaurin series (|x| small) or continued fraction.
function erf(x: number): number {
  if (Math.abs(x) > 3) return Math.sign(x) * (1 - erfcLarge(Math.abs(x)));
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
function erfcLarge(x: number): number {
  let fraction = 0;
  for (let k = 60; k >= 1; k--) fraction = k / 2 / (x + fraction);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + fraction);
}
const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
const tanhGelu = (k: number) => (x: number) => 0.5 * x * (1 + Math.tanh(k * (x + 0.044715 * x ** 3)));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

const REFERENCE: Record<DenseActFn, (x: number) => number> = {
  gelu,
  gelu_python: gelu,
  gelu_10: (x) => Math.min(10, Math.max(-10, gelu(x))),
  gelu_new: tanhGelu(Math.sqrt(2 / Math.PI)),
  gelu_pytorch_tanh: tanhGelu(Math.sqrt(2 / Math.PI)),
  gelu_accurate: tanhGelu(Math.sqrt(2 / Math.PI)),
  gelu_fast: (x) => 0.5 * x * (1 + Math.tanh(x * 0.7978845608 * (1 + 0.044715 * x * x))),
  quick_gelu: (x) => x * sigmoid(1.702 * x),
  laplace: (x) => 0.5 * (1 + erf((x - 0.707107) / (0.282095 * Math.SQRT2))),
  leaky_relu: (x) => (x >= 0 ? x : 0.01 * x),
  linear: (x) => x,
  mish: (x) => x * Math.tanh(Math.log1p(Math.exp(x))),
  relu: (x) => Math.max(0, x),
  relu2: (x) => Math.max(0, x) ** 2,
  relu6: (x) => Math.min(6, Math.max(0, x)),
  sigmoid,
  silu: (x) => x * sigmoid(x),
  swish: (x) => x * sigmoid(x),
  tanh: Math.tanh,
};

describe('ACT2FN activations', () => {
  it('every name computes the transformers formula within float32 tolerance', async () => {
    const inputs = Float32Array.from({ length: 81 }, (_, index) => -12 + index * 0.3);
    const graph = new GraphBuilder('activations');
    const x = graph.input('x', 'float32', [inputs.length]);
    const context = { graph };
    for (const act of DENSE_ACTIVATIONS) {
      graph.op('Identity', [activation(context, x, act)], { output: `y_${act}` });
      graph.output(`y_${act}`, 'float32', [inputs.length]);
    }
    const session = await openGraphSession(graph.serialize({ externalDataFile: 'unused', thresholdBytes: 1e9 }).model, {
      threads: 1,
      provider: 'cpu',
      label: 'activations',
    });
    try {
      const outputs = await session.run({ x: { type: 'float32', dims: [inputs.length], data: inputs } });
      for (const act of DENSE_ACTIVATIONS) {
        const output = outputs[`y_${act}`];
        assert.ok(output?.type === 'float32');
        inputs.forEach((value, index) => {
          const expected = REFERENCE[act](value);
          const got = output.data[index] ?? Number.NaN;
          assert.ok(Math.abs(got - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `${act}(${value}) = ${got}, expected ${expected}`);
        });
      }
    } finally {
      await session.close();
    }
  });
});
