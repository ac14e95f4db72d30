/**
 * The only importer of onnx-proto: a small builder for ONNX graphs (nodes, typed inputs and
 * outputs, initializers) and its serialisation, with large initializers optionally moved to an
 * external data file (ONNX protobufs cannot exceed 2 GB).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';

const proto = onnxProto.onnx;

/** Element types our graphs use. */
export type ElementType = 'float32' | 'int64' | 'uint8' | 'int8' | 'int32';

const ELEMENT_CODES: Record<ElementType, number> = {
  float32: proto.TensorProto.DataType.FLOAT,
  int64: proto.TensorProto.DataType.INT64,
  uint8: proto.TensorProto.DataType.UINT8,
  int8: proto.TensorProto.DataType.INT8,
  int32: proto.TensorProto.DataType.INT32,
};

/** A node attribute value, tagged so ints and floats stay apart. */
export type AttributeValue =
  { readonly int: number } | { readonly float: number } | { readonly ints: readonly number[] } | { readonly string: string };

/** A dimension: a fixed size or a symbolic name (`batch`, `cache`). */
export type Dimension = number | string;

interface InitializerEntry {
  readonly name: string;
  readonly type: ElementType;
  readonly dims: readonly number[];
  /** The element bytes; empty once they went to an {@link ExternalDataWriter}. */
  readonly bytes: Uint8Array;
  /** Where the bytes went, when the builder streams its weights to a file. */
  readonly written?: ExternalLocation;
}

interface ExternalLocation {
  readonly file: string;
  readonly offset: number;
  readonly length: number;
}

/** Options of {@link GraphBuilder.serialize}. */
export interface SerializeOptions {
  /** External data file name (relative to the model file); used when the initializers exceed the threshold. */
  readonly externalDataFile: string;
  /** Initializer bytes above which tensors move to the external file. */
  readonly thresholdBytes: number;
}

/** A serialised model: the protobuf and, when used, the external data chunks in file order. */
export interface SerializedModel {
  readonly model: Uint8Array;
  readonly externalData: readonly Uint8Array[];
}

// Tensors smaller than this stay inside the protobuf even when external data is used.
const EXTERNAL_MIN_BYTES = 1024;
// Offsets in the external file are page aligned so onnxruntime may map them.
const EXTERNAL_ALIGN_BYTES = 4096;

/**
 * An external data file that initializers are appended to as a graph is built: the builder then
 * keeps no reference to their bytes, so building a large model never holds all of its weights in
 * JavaScript memory (onnxruntime maps them from the file).
 */
export class ExternalDataWriter {
  private offset = 0;
  private readonly descriptor: number;

  /** Creates (truncates) `path`; `file` is its name relative to the model file that refers to it. */
  constructor(
    path: string,
    readonly file: string,
  ) {
    this.descriptor = openSync(path, 'w');
  }

  /** Appends `bytes` at the next page-aligned offset and returns where they are. */
  append(bytes: Uint8Array): ExternalLocation {
    const padding = paddingBefore(this.offset);
    if (padding > 0) writeSync(this.descriptor, new Uint8Array(padding));
    this.offset += padding;
    const location = { file: this.file, offset: this.offset, length: bytes.byteLength };
    for (let written = 0; written < bytes.byteLength;) written += writeSync(this.descriptor, bytes, written);
    this.offset += bytes.byteLength;
    return location;
  }

  close(): void {
    closeSync(this.descriptor);
  }
}

/** Collects nodes, inputs, outputs and initializers of one ONNX graph. */
export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: InitializerEntry[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  /** With `externalData`, initializers of 1 KiB and more go to that file as they are added. */
  constructor(
    private readonly graphName: string,
    private readonly externalData?: ExternalDataWriter,
  ) {}

  /** Declares a graph input. */
  input(name: string, type: ElementType, dims: readonly Dimension[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    this.names.add(name);
    return name;
  }

  /** Declares `value` (an existing value name) as a graph output. */
  output(value: string, type: ElementType, dims: readonly Dimension[]): void {
    this.outputs.push(valueInfo(value, type, dims));
  }

  /** Adds a weight or constant; `bytes` are little-endian elements, row-major. */
  initializer(name: string, type: ElementType, dims: readonly number[], bytes: Uint8Array): string {
    if (this.externalData !== undefined && bytes.byteLength >= EXTERNAL_MIN_BYTES) {
      this.initializers.push({ name, type, dims, bytes: new Uint8Array(), written: this.externalData.append(bytes) });
    } else {
      this.initializers.push({ name, type, dims, bytes });
    }
    this.names.add(name);
    return name;
  }

  /** A float32 initializer from a Float32Array (no copy). */
  floats(name: string, dims: readonly number[], data: Float32Array): string {
    return this.initializer(name, 'float32', dims, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  /** An int64 constant. */
  int64s(name: string, values: readonly number[]): string {
    const data = BigInt64Array.from(values, (value) => BigInt(value));
    return this.initializer(name, 'int64', [values.length], new Uint8Array(data.buffer));
  }

  /** A float32 scalar constant. */
  scalar(name: string, value: number): string {
    return this.floats(name, [], Float32Array.of(value));
  }

  /** Adds a node; returns its output names (`outputCount` fresh names unless `outputs` are given). */
  node(opType: string, inputs: readonly string[], options: NodeOptions = {}): string[] {
    const outputs =
      options.outputs !== undefined ? [...options.outputs] : Array.from({ length: options.outputCount ?? 1 }, () => this.fresh(opType));
    this.nodes.push({
      opType,
      input: [...inputs],
      output: outputs,
      name: `${opType}_${this.nodes.length}`,
      domain: options.domain ?? '',
      attribute: Object.entries(options.attributes ?? {}).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  /** One-output shorthand of {@link node}. */
  op(
    opType: string,
    inputs: readonly string[],
    options: Omit<NodeOptions, 'outputs' | 'outputCount'> & { readonly output?: string } = {},
  ): string {
    const { output, ...rest } = options;
    const [result] = this.node(opType, inputs, output === undefined ? rest : { ...rest, outputs: [output] });
    return result as string;
  }

  /** Total bytes of all initializers. */
  initializerBytes(): number {
    return this.initializers.reduce((total, entry) => total + (entry.written?.length ?? entry.bytes.byteLength), 0);
  }

  /** Serialises to an ONNX ModelProto (opset 17 + com.microsoft 1). */
  serialize(options: SerializeOptions): SerializedModel {
    const external = this.initializerBytes() > options.thresholdBytes;
    const externalData: Uint8Array[] = [];
    let offset = 0;
    const tensors = this.initializers.map((entry) => {
      const base: onnx.ITensorProto = { name: entry.name, dataType: ELEMENT_CODES[entry.type], dims: [...entry.dims] };
      if (entry.written !== undefined) return externalTensor(base, entry.written);
      if (!external || entry.bytes.byteLength < EXTERNAL_MIN_BYTES) return { ...base, rawData: entry.bytes };
      const padding = paddingBefore(offset);
      if (padding > 0) externalData.push(new Uint8Array(padding));
      offset += padding;
      externalData.push(entry.bytes);
      const location = { file: options.externalDataFile, offset, length: entry.bytes.byteLength };
      offset += entry.bytes.byteLength;
      return externalTensor(base, location);
    });
    const model: onnx.IModelProto = {
      irVersion: 8,
      producerName: 'llm-deploy',
      opsetImport: [
        { domain: '', version: 17 },
        { domain: 'com.microsoft', version: 1 },
      ],
      graph: { name: this.graphName, node: this.nodes, input: this.inputs, output: this.outputs, initializer: tensors },
    };
    return { model: proto.ModelProto.encode(model).finish(), externalData };
  }

  /** A new unused value name. */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix.toLowerCase()}_${this.counter++}`;
    while (this.names.has(name));
    this.names.add(name);
    return name;
  }
}

/** Options of {@link GraphBuilder.node}. */
export interface NodeOptions {
  readonly outputs?: readonly string[];
  readonly outputCount?: number;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  /** Operator domain; '' is the ONNX standard, 'com.microsoft' onnxruntime's contrib operators. */
  readonly domain?: string;
}

function paddingBefore(offset: number): number {
  return (EXTERNAL_ALIGN_BYTES - (offset % EXTERNAL_ALIGN_BYTES)) % EXTERNAL_ALIGN_BYTES;
}

function externalTensor(base: onnx.ITensorProto, location: ExternalLocation): onnx.ITensorProto {
  const externalData = [
    { key: 'location', value: location.file },
    { key: 'offset', value: String(location.offset) },
    { key: 'length', value: String(location.length) },
  ];
  return { ...base, dataLocation: proto.TensorProto.DataLocation.EXTERNAL, externalData };
}

function valueInfo(name: string, type: ElementType, dims: readonly Dimension[]): onnx.IValueInfoProto {
  const dim = dims.map((size) => (typeof size === 'number' ? { dimValue: size } : { dimParam: size }));
  return { name, type: { tensorType: { elemType: ELEMENT_CODES[type], shape: { dim } } } };
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const types = proto.AttributeProto.AttributeType;
  if ('int' in value) return { name, type: types.INT, i: value.int };
  if ('float' in value) return { name, type: types.FLOAT, f: value.float };
  if ('ints' in value) return { name, type: types.INTS, ints: [...value.ints] };
  return { name, type: types.STRING, s: new TextEncoder().encode(value.string) };
}
