import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { lookupProjectNumber } from './project-number.js';

describe('lookupProjectNumber', () => {
  let server: Server;
  let endpoint = '';
  const seen: { path: string; authorization: string | undefined }[] = [];
  before(async () => {
    // Answers as Resource Manager v3 projects.get does (name "projects/NUMBER"); 403 for a project the caller cannot see.
    server = createServer((request, response) => {
      seen.push({ path: request.url ?? '', authorization: request.headers.authorization });
      const ok = request.url === '/v3/projects/my-project';
      response.writeHead(ok ? 200 : 403, { 'content-type': 'application/json' });
      response.end(JSON.stringify(ok ? { name: 'projects/123456789', projectId: 'my-project' } : { error: { code: 403 } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the number from projects.get with the caller token', async () => {
    assert.equal(await lookupProjectNumber('my-project', { endpoint, token: () => Promise.resolve('t0k') }), '123456789');
    assert.deepEqual(seen.at(-1), { path: '/v3/projects/my-project', authorization: 'Bearer t0k' });
  });

  it('names the role it needs when the caller may not read the project', async () => {
    await assert.rejects(lookupProjectNumber('other', { endpoint, token: () => Promise.resolve('t') }), (error: unknown) => {
      assert.ok(error instanceof LlmDeployError);
      assert.equal(error.code, 'DEPLOY_PROJECT_LOOKUP_FAILED');
      assert.match(String(error.expected), /roles\/browser/);
      return true;
    });
  });
});
