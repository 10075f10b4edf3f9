/**
 * What the Temporal Web UI (2.54) shows of a finished run (SPEC §6): on the workflow's User
 * Metadata page, the run's static summary and details and, under Current Details, the progress
 * table; in the event history, each unit's activity summary `<unit_id>: <first line of description>`.
 * A real Chromium (Debian's package) drives the shared test server's UI; screenshots go to
 * test-output/.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { awaitResult, startRun } from '../../src/client/fanout-client';
import { loadPlanFile } from '../../src/client/plan-input/load-plan';
import { testServer, useFanoutWorker } from '../helpers/fanout-worker';
import { FAKE_AGENT, PROJECT_ROOT } from '../helpers/scenario-runner';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(PROJECT_ROOT, 'test-output');
const fixture = useFanoutWorker('web-ui');
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${CHROMIUM}: apt-get update && apt-get install -y chromium`,
    );
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);
afterAll(async () => browser?.close());

async function finishedRun(name = 'web-ui'): Promise<{ workflowId: string; runId: string }> {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-web-ui-')));
  mkdirSync(path.join(dir, 'repo'));
  const agent = [FAKE_AGENT, '--say', 'working', '--artifact', 'out.md'];
  const planFile = path.join(dir, 'plan.json');
  writeFileSync(
    planFile,
    JSON.stringify({
      name,
      max_workers: 2,
      agent: { command: agent },
      work_units: [
        {
          unit_id: 'schema',
          description: 'Write the schema\nwith every table',
          allowed_directories: ['db'],
        },
        {
          unit_id: 'api',
          description: 'Build the API\non top of it',
          allowed_directories: ['api'],
          dependencies: ['schema'],
        },
      ],
    }),
  );
  const { plan } = await loadPlanFile(planFile, { cwd: dir });
  const workflowId = `${name}-${Date.now().toString(36)}`;
  const handle = await startRun(fixture.client(), {
    plan,
    repo: path.join(dir, 'repo'),
    taskQueue: fixture.taskQueue,
    workflowId,
  });
  const result = await awaitResult(handle);
  expect(result.status).toBe('succeeded');
  return { workflowId, runId: result.run_id as string };
}

/** The frame of rendered Markdown whose text starts with `start`, once it has loaded. */
async function renderedFrame(start: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames().filter((candidate) => candidate.url().includes('/render?content='))) {
      if ((await text(frame).catch(() => '')).startsWith(start)) return frame;
    }
    if (Date.now() > deadline) {
      const seen = await Promise.all(
        page
          .frames()
          .map(async (frame) => `${frame.url().slice(0, 80)}: ${await text(frame).catch(() => '?')}`),
      );
      throw new Error(`no rendered text starting with ${JSON.stringify(start)}; frames:\n${seen.join('\n')}`);
    }
    await page.waitForTimeout(250);
  }
}

async function text(frame: Frame): Promise<string> {
  return (await frame.locator('body').innerText()).replace(/[ \t]*\n[\s]*/g, '\n').trim();
}

function workflowPage(run: { workflowId: string; runId: string }, tab: string): string {
  const { uiUrl, namespace } = testServer();
  return `${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(run.workflowId)}/${run.runId}/${tab}`;
}

describe('the Web UI of a finished run', () => {
  let run: { workflowId: string; runId: string };
  beforeAll(async () => {
    run = await finishedRun();
  }, 60_000);

  it('shows the static summary and details, and the progress table as current details', async () => {
    await page.goto(workflowPage(run, 'user-metadata'), { waitUntil: 'networkidle' });
    await page.locator('main').getByText('Current Details').waitFor();
    // The UI renders each Markdown text in a sandboxed frame of its own (`/render?content=…`).
    const summary = await renderedFrame('agent-fanout: web-ui');
    expect(await text(summary)).toBe('agent-fanout: web-ui (2 units, max_workers 2)');
    const details = await renderedFrame('Plan web-ui');
    expect(await text(details)).toMatch(
      /^Plan web-ui\s+Units 2 · max_workers 2 · on_failure cancel · overlap reject\s+Repo \//,
    );

    // The current details come from a query that the worker answers (after replaying the run).
    const current = await renderedFrame('web-ui — succeeded');
    const rows = await current.locator('table tr').allInnerTexts();
    expect(rows.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual([
      'unit status attempts note',
      'schema SUCCEEDED 1',
      'api SUCCEEDED 1',
    ]);
    expect(await text(current)).toMatch(/^web-ui — succeeded — SUCCEEDED 2/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'web-ui-user-metadata.png'), fullPage: true });
  }, 60_000);

  it("shows each unit's activity summary in the event history", async () => {
    await page.goto(workflowPage(run, 'history'), { waitUntil: 'networkidle' });
    const body = page.locator('main');
    const schemaSummary = body.getByText('schema: Write the schema', { exact: true }).first();
    await schemaSummary.waitFor({ timeout: 30_000 });
    await body.getByText('api: Build the API', { exact: true }).first().waitFor();
    const text = await body.innerText();
    expect(text).not.toContain('with every table');
    await schemaSummary.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'web-ui-history.png'), fullPage: true });
  }, 60_000);
});

describe("the Web UI's run list", () => {
  it('finds a run by the plan-name and status search attributes', async () => {
    const plan = `web-ui-list-${Date.now().toString(36)}`;
    const [wanted, other] = [await finishedRun(plan), await finishedRun(`${plan}-other`)];
    const { uiUrl, namespace } = testServer();
    const query = `FanoutPlan="${plan}" AND FanoutStatus="succeeded"`;
    await page.goto(`${uiUrl}/namespaces/${namespace}/workflows?query=${encodeURIComponent(query)}`, {
      waitUntil: 'networkidle',
    });
    const body = page.locator('main');
    await body.getByText(wanted.workflowId).first().waitFor({ timeout: 30_000 });
    expect(await body.innerText()).not.toContain(other.workflowId);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'web-ui-run-list.png'), fullPage: true });
  }, 90_000);
});
