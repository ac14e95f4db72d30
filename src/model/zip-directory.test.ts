import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { writeZip } from './__fixtures__/torch-checkpoint.js';
import { readZipDirectory } from './zip-directory.js';
import type { ZipEntry } from './zip-directory.js';

const fixtures = new URL('../../test/fixtures/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-zip-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const scratchFile = (): string => join(scratch, `case-${(counter += 1)}.zip`);

function entriesOf(file: string): ZipEntry[] {
  const descriptor = openSync(file, 'r');
  try {
    return readZipDirectory(descriptor, file);
  } finally {
    closeSync(descriptor);
  }
}

const members = [
  { name: 'archive/data.pkl', data: Buffer.from('pickle bytes') },
  { name: 'archive/data/0', data: Buffer.from('stored storage'), deflate: false },
  { name: 'archive/data/1', data: Buffer.alloc(1000, 7), deflate: true },
];

describe('readZipDirectory', () => {
  for (const zip64 of [false, true]) {
    it(`locates stored and deflated members${zip64 ? ' in a zip64 archive' : ''}`, () => {
      const file = scratchFile();
      writeZip(file, members, { zip64 });
      const bytes = readFileSync(file);
      const entries = entriesOf(file);
      assert.deepEqual(
        entries.map((entry) => [entry.name, entry.method, entry.uncompressedBytes]),
        [
          ['archive/data.pkl', 0, 12],
          ['archive/data/0', 0, 14],
          ['archive/data/1', 8, 1000],
        ],
      );
      const stored = entries[1];
      assert.ok(stored !== undefined);
      assert.equal(bytes.toString('utf8', stored.dataOffset, stored.dataOffset + stored.compressedBytes), 'stored storage');
    });
  }

  it('reads the central directory of a real torch.save file (entries padded for alignment)', () => {
    const file = join(fixtures, 't5-tiny-relu', 'pytorch_model.bin');
    const entries = entriesOf(file);
    assert.equal(entries.length, 49);
    const pickle = entries.find((entry) => entry.name.endsWith('/data.pkl'));
    assert.ok(pickle !== undefined);
    assert.equal(readFileSync(file)[pickle.dataOffset], 0x80); // the pickle starts with PROTO
    assert.ok(entries.filter((entry) => entry.name.includes('/data/')).every((entry) => entry.dataOffset % 64 === 0));
  });

  it('refuses what is not a zip, and directories that lie outside the file', () => {
    const cases: Buffer[] = [Buffer.from('short'), Buffer.alloc(5000, 1)];
    const valid = scratchFile();
    writeZip(valid, members);
    const corrupt = Buffer.from(readFileSync(valid));
    corrupt.writeUInt32LE(0x7fffffff, corrupt.byteLength - 6); // central directory offset
    cases.push(corrupt);
    const badEntry = Buffer.from(readFileSync(valid));
    badEntry.writeUInt16LE(500, badEntry.byteLength - 12); // entry count far beyond the directory
    cases.push(badEntry);
    for (const bytes of cases) {
      const file = scratchFile();
      writeFileSync(file, bytes);
      assert.throws(
        () => entriesOf(file),
        (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'MODEL_WEIGHTS_INVALID' && error.file === file,
      );
    }
  });
});
