/**
 * TLS for real: the frontend of a cluster serves with a certificate from a test CA (made with
 * openssl here), first for server authentication only, then requiring client certificates
 * (mTLS). Workers and the CLI connect with --tls-ca, --tls-cert, --tls-key and --tls-server-name;
 * a wrong CA and a missing client certificate each get the CLI's clear message.
 */
import { makeRepo } from '../crash/helpers';
import { runCli } from '../helpers/scenario-runner';
import { runPlanWithCli, writeTickingPlan } from './harness/crash-run';
import type { FrontendTls } from './harness/server-config';
import { SERVICES } from './harness/server-config';
import { makeTestCa, TLS_SERVER_NAME } from './harness/test-ca';
import { useCluster } from './harness/use-cluster';

const ca = makeTestCa();
const frontendTls = (requireClientAuth: boolean): FrontendTls => ({
  caFile: ca.caFile,
  certFile: ca.serverCert,
  keyFile: ca.serverKey,
  serverName: TLS_SERVER_NAME,
  requireClientAuth,
});
const serverTrust = ['--tls-ca', ca.caFile, '--tls-server-name', TLS_SERVER_NAME];
const clientCertificate = ['--tls-cert', ca.clientCert, '--tls-key', ca.clientKey];
let workerArgs: readonly string[] = serverTrust;

const fixture = useCluster('tls', { tls: frontendTls(false), workers: 1, workerArgs: () => workerArgs });

/** `agent-fanout status` of a run that does not exist: a connection, then a clear "not found". */
function status(flags: readonly string[]): ReturnType<typeof runCli> {
  return runCli(['status', 'no-such-run', '--address', fixture.cluster().address, ...flags], 60_000);
}

async function runTwoUnits(flags: readonly string[]): Promise<void> {
  const cluster = fixture.cluster();
  const repo = makeRepo();
  const plan = writeTickingPlan(repo, ['a', 'b'], 4, 250);
  const workflowId = `tls-${process.pid}-${Date.now().toString(36)}`;
  const run = await runPlanWithCli(cluster, plan, repo, fixture.taskQueue, workflowId, flags);
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded' });
}

describe('a frontend that serves TLS with a test CA', () => {
  it('runs a plan with a worker and the CLI that trust the CA (--tls-ca, --tls-server-name)', async () => {
    await runTwoUnits(serverTrust);
  });

  it('refuses a CLI that trusts another CA, with the message that says which flags to check', async () => {
    const run = await status(['--tls-ca', ca.otherCaFile, '--tls-server-name', TLS_SERVER_NAME]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Could not connect to ${fixture.cluster().address} with TLS (--tls)`);
    expect(run.stderr).toContain('check --tls-ca, --tls-cert/--tls-key or --api-key and --tls-server-name');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('the same frontend requiring client certificates (mTLS)', () => {
  beforeAll(async () => {
    const cluster = fixture.cluster();
    await Promise.all(
      fixture
        .workers()
        .splice(0)
        .map((worker) => worker.stop(15_000)),
    );
    await Promise.all(SERVICES.map((name) => cluster.services[name].stop(10_000)));
    cluster.reconfigure(frontendTls(true));
    await cluster.restartServices(SERVICES);
    workerArgs = [...serverTrust, ...clientCertificate];
    await fixture.addWorker();
  }, 300_000);

  it('runs a plan with a worker and the CLI that present a client certificate (--tls-cert, --tls-key)', async () => {
    await runTwoUnits([...serverTrust, ...clientCertificate]);
  });

  it('refuses a CLI without a client certificate, with the message that says which flags to check', async () => {
    const run = await status(serverTrust);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Could not connect to ${fixture.cluster().address} with TLS (--tls)`);
    expect(run.stderr).toContain('--tls-cert/--tls-key');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
