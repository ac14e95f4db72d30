import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphBuilder } from '../graph/proto.js';
import { openGraphSession } from './ort.js';

function reluGraph(): Uint8Array {
  const graph = new GraphBuilder('relu');
  const x = graph.input('x', 'float32', ['n']);
  graph.op('Relu', [x], { output: 'y' });
  graph.output('y', 'float32', ['n']);
  return graph.serialize({ externalDataFile: 'unused', thresholdBytes: Infinity }).model;
}

describe('onnxruntime session wrapper', () => {
  it('runs a built graph and says which provider serves it', async () => {
    const session = await openGraphSession(reluGraph(), { threads: 1, provider: 'auto', label: 'relu' });
    try {
      assert.ok(['cpu', 'cuda'].includes(session.provider));
      assert.deepEqual(session.inputNames, ['x']);
      const outputs = await session.run({ x: { type: 'float32', dims: [3], data: Float32Array.of(-1, 0, 2) } });
      assert.deepEqual(outputs.y, { type: 'float32', dims: [3], data: Float32Array.of(0, 0, 2) });
    } finally {
      await session.close();
    }
  });

  it('turns load and run failures into ENGINE_SESSION_FAILED naming the graph', async () => {
    await assert.rejects(openGraphSession(Uint8Array.of(1, 2, 3), { threads: 1, label: 'garbage.onnx' }), {
      code: 'ENGINE_SESSION_FAILED',
      file: 'garbage.onnx',
    });
    const session = await openGraphSession(reluGraph(), { threads: 1, label: 'relu' });
    try {
      await assert.rejects(session.run({ x: { type: 'int64', dims: [1], data: BigInt64Array.of(1n) } }), { code: 'ENGINE_SESSION_FAILED' });
    } finally {
      await session.close();
    }
  });
});
