#!/usr/bin/env node
// Builds spottune's optional native sgemm (libs/model/native/sgemm.c against OpenBLAS) into
// libs/model/native/build/. Run by `npm install`/`npm ci` (postinstall). Optional: without a C
// compiler or OpenBLAS's headers (Debian: libopenblas-dev) it says why and exits 0, and spottune uses
// tfjs's own matMul. `--require` makes a failed build an error (CI, where the package is installed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'libs/model/native/sgemm.c');
const out = join(root, 'libs/model/native/build/spottune_sgemm.node');
const required = process.argv.includes('--require');
const nodeInclude = [resolve(dirname(process.execPath), '../include/node'), '/usr/include/node'].find((d) =>
  existsSync(join(d, 'node_api.h')),
);
const cblas = [
  '/usr/include/cblas.h',
  '/usr/include/x86_64-linux-gnu/cblas.h',
  '/usr/include/openblas/cblas.h',
].find(existsSync);
const cc = process.env.CC ?? 'cc';

function skip(reason) {
  const msg = `native sgemm not built: ${reason}; spottune uses tfjs's matMul (apt-get install libopenblas-dev, then npm run build:native)`;
  if (required) {
    console.error(msg);
    process.exit(1);
  }
  console.log(msg);
  process.exit(0);
}

if (process.platform === 'win32') skip('not supported on Windows');
if (nodeInclude === undefined) skip("Node's headers (node_api.h) not found");
if (cblas === undefined) skip('OpenBLAS headers (cblas.h) not found');
mkdirSync(dirname(out), { recursive: true });
const args = [
  '-shared',
  '-fPIC',
  '-O3',
  '-std=c11',
  `-I${nodeInclude}`,
  `-I${dirname(cblas)}`,
  src,
  '-lopenblas',
  '-o',
  out,
];
try {
  execFileSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
} catch (e) {
  skip(`${cc} failed (${e instanceof Error ? e.message.split('\n')[0] : e})`);
}
console.log(`native sgemm built: ${out}`);
