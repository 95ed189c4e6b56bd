// Builds @clv/wasm: the core + bindings for wasm32 (size-optimised profile
// `wasm-release`, no threads), then wasm-bindgen for Node (pkg-node/, CommonJS)
// and for browsers / bundlers (pkg-web/, ES module). Prints the .wasm size,
// raw and gzipped. Usage: npm run build (in bindings/wasm).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(dirname(fileURLToPath(import.meta.url))); // bindings/wasm
const root = join(here, '..', '..');
// Where `cargo install` puts binaries, first on PATH.
process.env.PATH = `${join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin')}${delimiter}${process.env.PATH}`;
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });

// Tools: the wasm32 target, and the wasm-bindgen CLI of exactly the crate's
// version in Cargo.lock (installed from crates.io when missing; `--locked`
// fails on some registry mirrors, then the same exact version without it).
run('rustup', ['target', 'add', 'wasm32-unknown-unknown']);
const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
const want = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
const cliVersion = () => {
  try {
    return execFileSync('wasm-bindgen', ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
  } catch {
    return '(not installed)';
  }
};
if (cliVersion() !== want) {
  const args = ['install', 'wasm-bindgen-cli', '--version', want, '--no-default-features', '--bin', 'wasm-bindgen'];
  console.log(`installing wasm-bindgen-cli ${want} (found ${cliVersion()})`);
  try {
    run('cargo', [...args, '--locked']);
  } catch {
    run('cargo', args);
  }
}
if (cliVersion() !== want) throw new Error(`wasm-bindgen CLI ${cliVersion()} is not ${want}; is ~/.cargo/bin on PATH?`);

run('cargo', ['build', '--locked', '-p', 'clv-wasm', '--target', 'wasm32-unknown-unknown', '--profile', 'wasm-release']);
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target'); // cargo's own rule
const wasm = join(targetDir, 'wasm32-unknown-unknown', 'wasm-release', 'clv_wasm.wasm');
for (const [target, dir] of [['nodejs', 'pkg-node'], ['web', 'pkg-web']]) {
  run('wasm-bindgen', ['--target', target, '--remove-name-section', '--remove-producers-section', '--out-dir', join(here, dir), wasm]);
}

// The demo page serves the bundled CDNOW sample (a copy, git-ignored).
mkdirSync(join(here, 'www', 'data'), { recursive: true });
copyFileSync(join(root, 'crates', 'clv-cli', 'data', 'CDNOW_sample.txt'), join(here, 'www', 'data', 'CDNOW_sample.txt'));

const out = join(here, 'pkg-web', 'clv_wasm_bg.wasm');
const bytes = readFileSync(out);
const gz = gzipSync(bytes, { level: 9 }).length;
console.log(`clv_wasm_bg.wasm: ${statSync(out).size} bytes, ${gz} bytes gzipped (gzip -9)`);
