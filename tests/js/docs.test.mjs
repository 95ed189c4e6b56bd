// The Node quick start of docs/api/javascript.md, run as written on both
// packages (with `require('@clv/node')` pointed at each build), so the
// documentation cannot drift from the API.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { backends, root } from './helpers.mjs';

const doc = readFileSync(join(root, 'docs', 'api', 'javascript.md'), 'utf8');
const block = /## Quick start: Node\n\n```js\n([\s\S]*?)```/.exec(doc)[1];

for (const { name, lib } of backends) {
  test(`docs/api/javascript.md Node quick start runs on ${name}`, () => {
    const req = createRequire(join(root, 'package.json'));
    const fakeRequire = (id) => (id === '@clv/node' ? lib : req(id));
    const cwd = process.cwd();
    process.chdir(root); // the block reads a repository path
    try {
      const out = new Function('require', `${block}\nreturn { bg, alive, next, gg, value, segments, again, known, money };`)(fakeRequire);
      // FHL (2005): r = 0.243, α = 4.414, a = 0.793, b = 2.426 (the comment in the block shows the fit).
      assert.ok(Math.abs(out.bg.params.r - 0.2426) < 1e-4 && Math.abs(out.bg.params.b - 2.4259) < 1e-4);
      assert.equal(out.alive.length, 2357);
      assert.equal(out.value.length, 2357);
      assert.equal(out.segments.reduce((a, s) => a + s.customers, 0), 2357);
      assert.deepEqual({ ...out.again.params }, { ...out.bg.params });
      assert.equal(out.money, '150.00');
    } finally {
      process.chdir(cwd);
    }
  });
}
