import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FAKE,
  FAKE_ARTIFACT_SHA256,
  attemptInput,
  expectAgentFailure,
  makeRepo,
  reapGroups,
  removeRepos,
  runAttempt,
  settings,
  unit,
} from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

describe('runAgentAttempt outcome (SPEC §4.2)', () => {
  it('succeeds with the evidence manifest when the agent exits 0 after writing an artifact', async () => {
    const repo = await makeRepo();
    const result = await runAttempt(
      attemptInput(repo, unit('a'), settings([FAKE, '--say', 'hi', '--artifact', 'result.md'])),
    );
    expect(result.exitCode).toBe(0);
    expect(result.artifacts).toEqual([{ name: 'result.md', size: 20, sha256: FAKE_ARTIFACT_SHA256 }]);
    expect(result.logPath).toBe(join(repo, '.agent/workers/a/logs/attempt-1.log'));
    expect(Date.parse(result.finishedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt));
  });

  it('reports a bare binary that is not on PATH as not found, exit code 1', async () => {
    const repo = await makeRepo();
    await expectAgentFailure(
      runAttempt(
        attemptInput(
          repo,
          unit('missing'),
          settings(['no-such-agent-cli-7f3a', '--prompt', '{prompt_file}']),
        ),
      ),
      'AgentNotFound',
      "Could not find the 'no-such-agent-cli-7f3a' CLI on PATH.",
      1,
    );
  });

  it('reports a missing absolute binary path as not found too', async () => {
    const repo = await makeRepo();
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('abs'), settings(['/nonexistent/dir/agent']))),
      'AgentNotFound',
      "Could not find the '/nonexistent/dir/agent' CLI on PATH.",
      1,
    );
  });

  it('reports another start failure (not executable) with the OS error', async () => {
    const repo = await makeRepo();
    const script = join(repo, 'agent.sh');
    await writeFile(script, '#!/bin/sh\nexit 0\n');
    await chmod(script, 0o644);
    const failure = await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('noexec'), settings([script]))),
      'AgentStartFailed',
      `Failed to start subprocess: spawn ${script} EACCES`,
      1,
    );
    expect(failure.message).toMatch(/^Failed to start subprocess: /);
  });

  it('reports a non-zero exit without output as the bare exit text', async () => {
    const repo = await makeRepo();
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('plain'), settings([FAKE, '--exit', '3']))),
      'AgentExit',
      "Worker 'plain' exited with code 3",
      3,
    );
  });

  it('fails a non-zero exit even when artifacts were written', async () => {
    const repo = await makeRepo();
    await expectAgentFailure(
      runAttempt(
        attemptInput(
          repo,
          unit('oops'),
          settings([FAKE, '--artifact', 'out.md', '--say', 'oops', '--exit', '5']),
        ),
      ),
      'AgentExit',
      "Worker 'oops' exited with code 5: oops",
      5,
    );
  });

  it('reports death by SIGKILL as exit code -9 with the last line', async () => {
    const repo = await makeRepo();
    await expectAgentFailure(
      runAttempt(
        attemptInput(repo, unit('crash'), settings([FAKE, '--say', 'about to crash', '--kill-self', 'KILL'])),
      ),
      'AgentExit',
      "Worker 'crash' exited with code -9: about to crash",
      -9,
    );
  });

  it('trims the surrounding whitespace of the last line', async () => {
    const repo = await makeRepo();
    await expectAgentFailure(
      runAttempt(
        attemptInput(repo, unit('trim'), settings([FAKE, '--say', '   spaced out   ', '--exit', '2'])),
      ),
      'AgentExit',
      "Worker 'trim' exited with code 2: spaced out",
      2,
    );
  });

  it('quotes the last non-blank line, skipping trailing blank lines', async () => {
    const repo = await makeRepo();
    const command = [
      FAKE,
      '--say',
      'first line',
      '--say',
      'the real reason',
      '--say',
      '',
      '--say',
      ' \t ',
      '--exit',
      '1',
    ];
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('lastline'), settings(command))),
      'AgentExit',
      "Worker 'lastline' exited with code 1: the real reason",
      1,
    );
  });

  it('takes the last line from merged stdout and stderr', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--say', 'to stdout', '--say-err', 'from stderr', '--exit', '4'];
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('stderr'), settings(command))),
      'AgentExit',
      "Worker 'stderr' exited with code 4: from stderr",
      4,
    );
  });

  it('strips terminal control sequences from the last line', async () => {
    const repo = await makeRepo();
    const command = [
      FAKE,
      '--say',
      '\u001b]0;title\u0007\u001b[1;31mcompile error\u001b[0m in module\u001b[K\r',
      '--exit',
      '1',
    ];
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('ansi'), settings(command))),
      'AgentExit',
      "Worker 'ansi' exited with code 1: compile error in module",
      1,
    );
  });

  it('cuts a long last line to 200 characters plus an ellipsis', async () => {
    const repo = await makeRepo();
    const long = '0123456789'.repeat(25);
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('long'), settings([FAKE, '--say', long, '--exit', '1']))),
      'AgentExit',
      `Worker 'long' exited with code 1: ${long.slice(0, 200)}…`,
      1,
    );
  });

  it('quotes a last line without a final newline', async () => {
    const repo = await makeRepo();
    await expectAgentFailure(
      runAttempt(
        attemptInput(repo, unit('nonl'), settings(['/bin/sh', '-c', 'printf "no newline here"; exit 6'])),
      ),
      'AgentExit',
      "Worker 'nonl' exited with code 6: no newline here",
      6,
    );
  });

  it('fails exit 0 without evidence with exit code 0 and the absolute artifacts path', async () => {
    const repo = await makeRepo();
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('b'), settings([FAKE, '--say', 'done, honest']))),
      'NoEvidence',
      `Worker 'b' produced no worker-local artifact evidence under ${repo}/.agent/workers/b/artifacts (exit_code=0)`,
      0,
    );
  });

  it('uses the namespace root in the no-evidence text', async () => {
    const repo = await makeRepo();
    const input = {
      ...attemptInput(repo, unit('b'), settings([FAKE, '--say', 'forgot the artifact'])),
      namespaceRoot: 'var/fanout',
    };
    await expectAgentFailure(
      runAttempt(input),
      'NoEvidence',
      `Worker 'b' produced no worker-local artifact evidence under ${repo}/var/fanout/b/artifacts (exit_code=0)`,
      0,
    );
  });
});
