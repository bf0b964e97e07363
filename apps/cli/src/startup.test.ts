import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command, Help } from 'commander';
import { commands, registerCommands, type DeferredCommand } from './commands/index.ts';

/**
 * `spottune --help` and light commands must not import the heavy packages (tfjs, Prisma, BullMQ, the
 * AWS SDK, Fastify): they cost seconds of CPU per start. Each case runs `main` in a fresh node with an
 * ESM resolve hook that prints every resolved URL to stderr, and checks the URLs.
 */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const mainUrl = new URL('./main.ts', import.meta.url).href;
const MARK = 'SPOTTUNE_RESOLVED ';
const HEAVY = ['@tensorflow', '@prisma', 'bullmq', '@aws-sdk', 'fastify'];

// Runs in the loader hooks thread; its stderr reaches the parent's stderr pipe.
const hookSource = `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write(${JSON.stringify(MARK)} + result.url + '\\n');
  return result;
}`;
const hookUrl = `data:text/javascript,${encodeURIComponent(hookSource)}`;
const registerUrl = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(hookUrl)});`,
)}`;

function runMain(args: string[]): { status: number | null; stdout: string; stderr: string; urls: string[] } {
  const script =
    `const { main } = await import(${JSON.stringify(mainUrl)});` +
    `process.exitCode = await main(${JSON.stringify(['node', 'spottune', ...args])});`;
  const r = spawnSync(
    process.execPath,
    ['--import', registerUrl, '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
  );
  const urls = r.stderr
    .split('\n')
    .filter((line) => line.startsWith(MARK))
    .map((line) => line.slice(MARK.length));
  const stderr = r.stderr
    .split('\n')
    .filter((line) => !line.startsWith(MARK))
    .join('\n');
  return { status: r.status, stdout: r.stdout, stderr, urls };
}

function heavy(urls: string[]): string[] {
  return urls.filter((url) => HEAVY.some((name) => url.includes(name)));
}

test('spottune --help loads no heavy package, yet lists every command', () => {
  const r = runMain(['--help']);
  assert.equal(r.status, 0, r.stderr);
  // The hook saw the CLI's own modules, so an empty heavy list means something.
  assert.ok(
    r.urls.some((url) => url.endsWith('/apps/cli/src/commands/index.ts')),
    'hook recorded nothing',
  );
  assert.ok(r.urls.some((url) => url.includes('commander')));
  assert.deepEqual(heavy(r.urls), []);
  for (const name of ['bench', 'db', 'demo', 'experiment', 'ingest', 'model', 'nifti', 'report', 'worker'])
    assert.match(r.stdout, new RegExp(`^  ${name}\\b`, 'm'), `--help lists ${name}`);
});

test('spottune nifti info --json loads no heavy package', () => {
  const nii = fileURLToPath(new URL('../../../../shared/data/nifti/anatomical.nii', import.meta.url));
  const r = runMain(['nifti', 'info', nii, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { dims: number[] };
  assert.ok(Array.isArray(info.dims) && info.dims.length >= 3);
  assert.deepEqual(heavy(r.urls), []);
});

test('naming a deferred command loads its module (the hook does see heavy packages)', () => {
  const r = runMain(['report', '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: spottune report \[options\] <experimentId>/);
  assert.match(r.stdout, /--out <dir>/);
  assert.ok(
    r.urls.some((url) => url.includes('@prisma')),
    'report imports @spottune/db, which loads Prisma',
  );
});

test('deferred stubs show the same name, description and term as the real commands', async () => {
  const deferred = commands.filter((c): c is DeferredCommand => typeof c !== 'function');
  assert.deepEqual(
    deferred.map((c) => c.name),
    ['demo', 'report'],
  );
  const help = new Help();
  for (const entry of deferred) {
    const real = new Command('spottune');
    (await entry.load())(real, () => {
      throw new Error('context is not needed to register');
    });
    // Not named on the command line (no args), so registerCommands registers the stub.
    const stubs = new Command('spottune');
    await registerCommands(stubs, () => {
      throw new Error('context is not needed to register');
    }, []);
    const stubCommand = stubs.commands.find((c) => c.name() === entry.name);
    const realCommand = real.commands.find((c) => c.name() === entry.name);
    assert.ok(stubCommand !== undefined && realCommand !== undefined, entry.name);
    assert.equal(stubCommand.description(), realCommand.description(), `${entry.name} description`);
    assert.equal(help.subcommandTerm(stubCommand), help.subcommandTerm(realCommand), `${entry.name} term`);
  }
});
