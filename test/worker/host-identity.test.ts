/** A worker's host identity (SPEC §10): its work directory, id and own queue, and their defaults. */
import { hostname } from 'node:os';
import { hostIdentity } from '../../src/worker/host-identity';

describe('hostIdentity', () => {
  it('is <hostname>:<workdir> on <task queue>@<id> by default, the workdir being the worktree root', () => {
    const host = hostIdentity('agent-fanout', {}, { FANOUT_WORKTREES: '/srv/trees' });
    expect(host).toEqual({
      id: `${hostname()}:/srv/trees`,
      queue: `agent-fanout@${hostname()}:/srv/trees`,
      workdir: '/srv/trees',
    });
  });

  it('takes --workdir (made absolute) and --host', () => {
    const host = hostIdentity('q', { workdir: 'relative/dir', hostId: 'build-7' }, {});
    expect(host.workdir).toBe(`${process.cwd()}/relative/dir`);
    expect(host.id).toBe('build-7');
    expect(host.queue).toBe('q@build-7');
  });

  it('falls back to /var/tmp/agent-fanout-<uid> without FANOUT_WORKTREES', () => {
    const host = hostIdentity('q', {}, {});
    expect(host.workdir).toBe(`/var/tmp/agent-fanout-${process.getuid?.() ?? 'user'}`);
  });
});
