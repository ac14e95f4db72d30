/**
 * A family's graph set, driven by its table row: the graphs it declares (role, file name) are built,
 * written and opened in that order, so `convert --to onnx` and `serve` need no family-specific code.
 */
import { LlmDeployError } from '../../config/index.js';
import type { ModelConfig, ModelDirectory, WeightStore } from '../../model/index.js';
import { buildGraphSetInto, readGraphManifest, type GraphManifest } from '../graph/graph-set.js';
import type { GenerationRuntime } from '../runtime/types.js';
import type { Quantize } from '../settings.js';
import type { FamilyRuntimeOptions, ModelFamily } from './model-family.js';

/** Options of {@link buildFamilyGraphsInto}. */
export interface FamilyGraphOptions {
  readonly quantize: Quantize;
}

function graphsInvalid(summary: string, facts: { file?: string; field: string; given: string; expected: string }): LlmDeployError {
  return new LlmDeployError(summary, { code: 'ENGINE_GRAPHS_INVALID', ...facts });
}

/**
 * Builds every graph the family's row declares from a checkpoint's weights straight into `directory`
 * (every weight in external data, streamed as it is read: no JavaScript copy of the checkpoint).
 */
export async function buildFamilyGraphsInto(
  directory: string,
  family: ModelFamily,
  checkpoint: { readonly config: ModelConfig; readonly weights: WeightStore },
  options: FamilyGraphOptions,
): Promise<GraphManifest> {
  const builders = family.graphBuilders(checkpoint.config, checkpoint.weights, { quantize: options.quantize });
  const parts = family.graphs.map((graph) => {
    const build = builders[graph.role];
    if (build === undefined) {
      throw graphsInvalid('family declares a graph it cannot build', {
        field: 'graphs',
        given: `${family.name} ${graph.role}`,
        expected: `builders for ${family.graphs.map((declared) => declared.role).join(', ')}`,
      });
    }
    return { role: graph.role, file: graph.file, build };
  });
  return buildGraphSetInto(directory, parts, { family: family.name, ...options });
}

/** Opens a graph directory (`convert --to onnx`) with the family its config.json names; the manifest must agree. */
export async function openFamilyGraphDirectory(
  family: ModelFamily,
  model: ModelDirectory,
  options: Omit<FamilyRuntimeOptions, 'quantize'>,
): Promise<GenerationRuntime> {
  const manifest = await readGraphManifest(model.modelDir);
  checkManifestFamily(family, manifest, model.modelDir);
  return family.openGraphs(model.config, { directory: model.modelDir }, options);
}

// A manifest of another family, or one whose roles differ from the row's, would feed graphs the runtime does not expect.
function checkManifestFamily(family: ModelFamily, manifest: GraphManifest, file: string): void {
  if (manifest.family !== family.name) {
    throw graphsInvalid('the graph directory was built for another model family than its config.json', {
      file,
      field: 'family',
      given: JSON.stringify(manifest.family),
      expected: `${JSON.stringify(family.name)} (config.json model_type ${family.modelTypes.join(', ')})`,
    });
  }
  const roles = manifest.graphs.map((graph) => graph.role).join(', ');
  const declared = family.graphs.map((graph) => graph.role).join(', ');
  if (roles !== declared) {
    throw graphsInvalid('the graph directory holds other graphs than its family runs', {
      file,
      field: 'graphs',
      given: roles,
      expected: declared,
    });
  }
}
