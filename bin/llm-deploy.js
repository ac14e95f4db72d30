#!/usr/bin/env -S node --
// Runs the TypeScript sources directly through tsx, so `npx llm-deploy` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
