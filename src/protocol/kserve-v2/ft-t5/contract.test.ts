import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kserveV2ModelMetadataSchema, serverMetadata } from '../metadata.js';
import { FT_T5_SCALAR_INPUTS, ftT5ModelMetadata } from './contract.js';

test('model metadata lists the FT inputs with variable dims and passes the metadata schema', () => {
  const metadata = ftT5ModelMetadata({ platform: 'llm-deploy', versions: ['1'] });
  assert.equal(kserveV2ModelMetadataSchema.safeParse(metadata).success, true);
  assert.equal(metadata.name, 'fastertransformer');
  assert.deepEqual(metadata.inputs[0], { name: 'input_ids', datatype: 'UINT32', shape: [-1, -1] });
  assert.deepEqual(
    metadata.inputs.find((input) => input.name === 'random_seed'),
    { name: 'random_seed', datatype: 'UINT64', shape: [-1, 1] },
  );
  assert.equal(metadata.inputs.length, 1 + Object.keys(FT_T5_SCALAR_INPUTS).length);
  assert.deepEqual(
    metadata.outputs.map((output) => [output.name, output.shape.length]),
    [
      ['output_ids', 3],
      ['sequence_length', 2],
      ['cum_log_probs', 2],
      ['output_log_probs', 3],
    ],
  );
});

test('server metadata advertises the binary tensor extension', () => {
  assert.deepEqual(serverMetadata({ version: '0.1.0' }), {
    name: 'llm-deploy',
    version: '0.1.0',
    extensions: ['binary_tensor_data', 'parameters', 'model_configuration', 'statistics'],
  });
});
