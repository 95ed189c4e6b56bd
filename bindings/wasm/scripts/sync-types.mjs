// Copies the interface declarations of @clv/node's generated index.d.ts into
// bindings/wasm/src/types.d.ts (the wasm build's typescript_custom_section),
// so both packages declare the same input and output types. The JS test suite
// fails when they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bindings = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const node = readFileSync(join(bindings, 'node', 'index.d.ts'), 'utf8');
const ifaces = node.match(/^export interface [\s\S]*?^}/gm).join('\n');
const header =
  "// Input and output object types of @clv/wasm: the interfaces of @clv/node's generated\n" +
  '// index.d.ts (same API), copied by scripts/sync-types.mjs and checked by the JS test suite.\n';
writeFileSync(join(bindings, 'wasm', 'src', 'types.d.ts'), `${header}${ifaces}\n`);
