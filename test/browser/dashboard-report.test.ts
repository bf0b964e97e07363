import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { startTestApi, type TestApi } from '../support/api-app.ts';
import { ARTIFACTS_DIR, launchChromium } from '../support/browser.ts';
import type { TestDatabase } from '../support/database.ts';
import { seedFinishedExperiment, type SeededExperiment } from '../support/seed-experiment.ts';

const TOKEN = 'browser-reader-0001';

describe('dashboard and report in Chromium', () => {
  let api: TestApi;
  let t: TestDatabase;
  let browser: Browser;
  let base: string;
  let seeded: SeededExperiment;

  before(async () => {
    api = await startTestApi('browser', { env: { SPOTTUNE_API_TOKENS: `${TOKEN}:read` } });
    t = api.db;
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    seeded = await seedFinishedExperiment(t.db);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await api?.close();
  });

  /** A page logged in through /login (the session cookie), as a person would. */
  async function loggedIn(): Promise<Page> {
    const page = await browser.newPage();
    const response = await page.goto(`${base}/login?token=${TOKEN}`);
    assert.equal(response?.status(), 200);
    return page;
  }

  test('without a token the dashboard is refused', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${base}/`);
    assert.equal(response?.status(), 401);
    await page.close();
  });

  test('the dashboard lists experiments with a progress bar per trial', async () => {
    const page = await loggedIn();
    assert.equal(new URL(page.url()).pathname, '/');
    const running = page.locator(`section[data-experiment="${seeded.runningExperimentId}"]`);
    await running.waitFor();
    assert.match((await running.textContent()) ?? '', /still running/);
    // epoch 2 of 4, batch 1 of 2 → (1 + 0.5) / 4
    assert.equal(
      await page.getAttribute(`[data-trial="${seeded.runningTrialId}"]`, 'data-progress'),
      '0.375',
    );
    const trials = await t.db.prisma.trial.count();
    assert.equal(await page.locator('.bar[data-trial]').count(), trials);
    assert.equal(await page.locator(`a[href="/experiments/${seeded.experimentId}/report"]`).count(), 1);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'dashboard.png'), fullPage: true });
    await page.close();
  });

  test('the report shows the numbers stored in SQL and every plot has data', async () => {
    const page = await loggedIn();
    await page.goto(`${base}/experiments/${seeded.experimentId}/report`);
    const stored = await t.db.prisma.$queryRaw<
      { network: string; name: string; metric: string; value: number }[]
    >`
      SELECT e.network, e.name, m.metric, m.value FROM ensemble e JOIN ensemble_metric m ON m.ensemble_id = e.id
      WHERE e.experiment_id = ${seeded.experimentId}::uuid AND e.level IN ('group', 'combination') AND m.metric IN ('auc', 'ap', 'sen', 'spe')`;
    assert.equal(stored.length, 3 * 3 * 4);
    for (const row of stored) {
      const cell = page.locator(
        `span[data-network="${row.network}"][data-ensemble="${row.name}"][data-metric="${row.metric}"]`,
      );
      assert.equal(
        await cell.textContent(),
        row.value.toFixed(4),
        `${row.network} ${row.name} ${row.metric}`,
      );
    }
    const tests = await t.db.prisma.statisticalTest.findMany({
      where: { experimentId: seeded.experimentId },
    });
    for (const s of tests) {
      const value = await page.getAttribute(
        `span[data-kind="${s.kind}"][data-scope="${s.scope}"][data-comparison="${s.comparison}"]`,
        'data-value',
      );
      assert.equal(Number(value), s.pValue);
    }
    const charts = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((svg) => ({
        id: svg.id,
        points: [...svg.querySelectorAll('path.series')].reduce(
          (n, p) => n + JSON.parse(p.getAttribute('data-points') ?? '[]').length,
          0,
        ),
        cells: svg.querySelectorAll('rect.cell[data-value]:not([data-value=""]), rect.bar[data-value]')
          .length,
      })),
    );
    assert.ok(charts.length >= 10, `${charts.length} charts`);
    for (const c of charts) assert.ok(c.points + c.cells > 0, `chart ${c.id} has no data`);
    for (const id of [
      'roc-dsc-dti',
      'pr-dsc-dti',
      'roc-best',
      'routing-map',
      'routing-blocks',
      'scan-lr-valAuc',
    ]) {
      assert.ok(
        charts.some((c) => c.id === id),
        `missing chart ${id}`,
      );
    }
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'report.png'), fullPage: true });
    await page.close();
  });

  test('`spottune report` writes a file that a reader opens offline', async () => {
    const out = await mkdtemp(join(tmpdir(), 'spottune-report-'));
    const cli = spawnSync('npx', ['--no-install', 'spottune', 'report', seeded.experimentId, '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' },
    });
    assert.equal(cli.status, 0, cli.stderr);
    const file = cli.stdout.trim();
    const context = await browser.newContext({ offline: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    assert.equal(await page.locator('#table-spottune tbody tr').count(), 3);
    assert.ok((await page.locator('svg.chart').count()) >= 10);
    assert.deepEqual(
      requests.filter((u) => !u.startsWith('file:')),
      [],
      'the report loads nothing from the network',
    );
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'report-offline.png') });
    await context.close();
    await rm(out, { recursive: true, force: true });
  });
});
