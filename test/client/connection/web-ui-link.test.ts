/** Where the Web UI link the CLI prints points: the UI of the server the run is on. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { webUiLink, type ResolvedConnection } from '../../../src/client/connection/connection-options';
import { DEFAULT_DB_FILE, ownerFileOf } from '../../../src/client/connection/dev-owner';

const PAGE = '/namespaces/default/workflows/fanout-x-1';
const dirs: string[] = [];

afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function at(address: string): ResolvedConnection {
  return { address, namespace: 'default', taskQueue: 'agent-fanout' };
}

/** A working directory whose `agent-fanout dev` (the process `pid`) serves `address`, UI on `uiUrl`. */
function devServing(address: string, uiUrl: string, pid = process.ppid): string {
  const cwd = mkdtempSync(path.join(tmpdir(), 'ui-link-'));
  dirs.push(cwd);
  const dbFile = path.join(cwd, DEFAULT_DB_FILE);
  mkdirSync(path.dirname(dbFile), { recursive: true });
  const record = { pid, address, uiUrl, namespace: 'default', taskQueue: 'agent-fanout' };
  writeFileSync(ownerFileOf(dbFile), JSON.stringify(record));
  return cwd;
}

const nowhere = { env: {}, cwd: '/nonexistent' };

describe('webUiLink', () => {
  it("assumes `temporal server start-dev`'s UI, the frontend port + 1000, when nothing says otherwise", () => {
    expect(webUiLink(at('localhost:7233'), 'fanout-x-1', nowhere)).toBe(`http://localhost:8233${PAGE}`);
    expect(webUiLink(at('10.0.0.5:7300'), 'fanout-x-1', nowhere)).toBe(`http://10.0.0.5:8300${PAGE}`);
    expect(webUiLink(at('[::1]:7233'), 'fanout-x-1', nowhere)).toBe(`http://[::1]:8233${PAGE}`);
  });

  it('takes an address without a port as the SDK does, on 7233, so its UI on 8233', () => {
    expect(webUiLink(at('temporal.internal'), 'fanout-x-1', nowhere)).toBe(
      `http://temporal.internal:8233${PAGE}`,
    );
  });

  it('uses TEMPORAL_UI_URL when set (not when empty)', () => {
    const env = { TEMPORAL_UI_URL: 'https://ui.example/' };
    expect(webUiLink(at('localhost:7233'), 'fanout-x-1', { env, cwd: '/' })).toBe(
      `https://ui.example${PAGE}`,
    );
    const empty = { env: { TEMPORAL_UI_URL: '' }, cwd: '/' };
    expect(webUiLink(at('localhost:7233'), 'fanout-x-1', empty)).toBe(`http://localhost:8233${PAGE}`);
  });

  it('uses the real UI of a server this process started, whatever TEMPORAL_UI_URL says', () => {
    const io = { env: { TEMPORAL_UI_URL: 'https://ui.example' }, cwd: '/' };
    expect(webUiLink(at('127.0.0.1:40001'), 'fanout-x-1', io, 'http://127.0.0.1:40002')).toBe(
      `http://127.0.0.1:40002${PAGE}`,
    );
  });

  it('uses the UI of the `agent-fanout dev` here that serves the address, as started with --ui-port', () => {
    const cwd = devServing('127.0.0.1:7233', 'http://127.0.0.1:9000');
    expect(webUiLink(at('localhost:7233'), 'fanout-x-1', { env: {}, cwd })).toBe(
      `http://127.0.0.1:9000${PAGE}`,
    );
    // Another server, a dev server that is gone, or TEMPORAL_UI_URL: not that UI.
    expect(webUiLink(at('localhost:7300'), 'fanout-x-1', { env: {}, cwd })).toBe(
      `http://localhost:8300${PAGE}`,
    );
    const gone = devServing('127.0.0.1:7233', 'http://127.0.0.1:9000', 2 ** 22 + 1);
    expect(webUiLink(at('localhost:7233'), 'fanout-x-1', { env: {}, cwd: gone })).toBe(
      `http://localhost:8233${PAGE}`,
    );
    const env = { TEMPORAL_UI_URL: 'http://localhost:18233' };
    expect(webUiLink(at('localhost:7233'), 'fanout-x-1', { env, cwd })).toBe(`http://localhost:18233${PAGE}`);
  });
});
