/** Scalar and shape constants of a graph under construction, each created once per graph. */
import type { GraphBuilder } from './proto.js';

/** What graph helpers that read no weights need. */
export interface GraphContext {
  readonly graph: GraphBuilder;
}

const constantsByGraph = new WeakMap<GraphBuilder, Map<string, string>>();

/** The value named `name` in this graph, created by `create` the first time it is asked for. */
export function onceInGraph(context: GraphContext, name: string, create: (graph: GraphBuilder) => string): string {
  let constants = constantsByGraph.get(context.graph);
  if (constants === undefined) {
    constants = new Map();
    constantsByGraph.set(context.graph, constants);
  }
  const existing = constants.get(name);
  if (existing !== undefined) return existing;
  const created = create(context.graph);
  constants.set(name, created);
  return created;
}

/** A float32 scalar constant, created once per graph. */
export function constant(context: GraphContext, name: string, value: number): string {
  return onceInGraph(context, name, (graph) => graph.scalar(name, value));
}

/** An int64 vector constant, created once per graph. */
export function shapeConstant(context: GraphContext, values: readonly number[]): string {
  const name = `shape_${values.map((value) => String(value).replace('-', 'm')).join('_')}`;
  return onceInGraph(context, name, (graph) => graph.int64s(name, values));
}
