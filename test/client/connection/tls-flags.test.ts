/**
 * TLS and API-key flags: a plain dev server reached with TLS gives an error that names the flag
 * and what to do; inconsistent or unreadable TLS flags are usage errors.
 */
import { requireBuiltCli, runBuiltCli } from '../helpers/built-cli';
import { testServer } from '../../helpers/temporal';

beforeAll(requireBuiltCli);

describe('connection security flags', () => {
  it('names --tls and says to drop it when the server does not speak TLS', async () => {
    const run = await runBuiltCli(['status', 'no-such-run', '--address', testServer().address, '--tls']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Could not connect to ${testServer().address} with TLS (--tls)`);
    expect(run.stderr).toContain('drop --tls');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('names --api-key when an API key asked for TLS', async () => {
    const run = await runBuiltCli([
      'status',
      'x',
      '--address',
      testServer().address,
      '--api-key',
      'not-a-real-key',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('with TLS (--api-key)');
  });

  it('refuses a client certificate without its key', async () => {
    const run = await runBuiltCli(['status', 'x', '--tls-cert', 'client.pem']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--tls-cert and --tls-key go together');
  });

  it('names an unreadable CA file', async () => {
    const run = await runBuiltCli(['status', 'x', '--tls-ca', '/no/such/ca.pem']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--tls-ca /no/such/ca.pem cannot be read (ENOENT)');
  });
});
