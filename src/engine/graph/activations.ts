/**
 * transformers' ACT2FN activations (v4.36, src/transformers/activations.py) as ONNX nodes, float32:
 * https://github.com/huggingface/transformers/blob/v4.36.0/src/transformers/activations.py
 */
import type { DenseActFn } from '../../model/index.js';
import { constant, type GraphContext } from './graph-constants.js';

/** `act(x)` for the ACT2FN name `act`. */
export function activation(context: GraphContext, x: string, act: DenseActFn): string {
  const { graph } = context;
  const scalar = (name: string, value: number): string => constant(context, `act.${name}`, value);
  switch (act) {
    case 'relu':
      return graph.op('Relu', [x]);
    case 'gelu':
    case 'gelu_python':
      // x * 0.5 * (1 + erf(x / sqrt(2))): onnxruntime's exact Gelu kernel.
      return graph.op('Gelu', [x], { domain: 'com.microsoft' });
    case 'gelu_10':
      return graph.op('Clip', [graph.op('Gelu', [x], { domain: 'com.microsoft' }), scalar('minus10', -10), scalar('ten', 10)]);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_accurate':
      // NewGELUActivation, torch's gelu(approximate='tanh') and AccurateGELUActivation are the same formula.
      return geluTanh(context, x, Math.sqrt(2 / Math.PI));
    case 'gelu_fast':
      return geluTanh(context, x, 0.7978845608);
    case 'quick_gelu':
      return graph.op('Mul', [x, graph.op('Sigmoid', [graph.op('Mul', [x, scalar('quick', 1.702)])])]);
    case 'silu':
    case 'swish':
      return graph.op('Mul', [x, graph.op('Sigmoid', [x])]);
    case 'sigmoid':
      return graph.op('Sigmoid', [x]);
    case 'tanh':
      return graph.op('Tanh', [x]);
    case 'linear':
      return graph.op('Identity', [x]);
    case 'mish':
      return graph.op('Mul', [x, graph.op('Tanh', [graph.op('Softplus', [x])])]);
    case 'leaky_relu':
      // nn.LeakyReLU() with its default negative_slope 0.01.
      return graph.op('LeakyRelu', [x], { attributes: { alpha: { float: 0.01 } } });
    case 'relu2': {
      const relu = graph.op('Relu', [x]);
      return graph.op('Mul', [relu, relu]);
    }
    case 'relu6':
      return graph.op('Clip', [x, scalar('zero', 0), scalar('six', 6)]);
    case 'laplace':
      return laplace(context, x);
    default: {
      const unexpected: never = act;
      return unexpected;
    }
  }
}

// 0.5 * x * (1 + tanh(k * (x + 0.044715 * x^3))).
function geluTanh(context: GraphContext, x: string, k: number): string {
  const { graph } = context;
  const cube = graph.op('Mul', [graph.op('Mul', [x, x]), x]);
  const inner = graph.op('Add', [x, graph.op('Mul', [cube, constant(context, 'gelu.c', 0.044715)])]);
  const tanh = graph.op('Tanh', [graph.op('Mul', [inner, constant(context, `gelu.k${k}`, k)])]);
  const onePlus = graph.op('Add', [tanh, constant(context, 'gelu.one', 1)]);
  return graph.op('Mul', [graph.op('Mul', [x, constant(context, 'gelu.half', 0.5)]), onePlus]);
}

// LaplaceActivation: 0.5 * (1 + erf((x - mu) / (sigma * sqrt(2)))), mu 0.707107, sigma 0.282095.
function laplace(context: GraphContext, x: string): string {
  const { graph } = context;
  const shifted = graph.op('Sub', [x, constant(context, 'laplace.mu', 0.707107)]);
  const erf = graph.op('Erf', [graph.op('Div', [shifted, constant(context, 'laplace.scale', 0.282095 * Math.sqrt(2))])]);
  return graph.op('Mul', [graph.op('Add', [erf, constant(context, 'gelu.one', 1)]), constant(context, 'gelu.half', 0.5)]);
}
