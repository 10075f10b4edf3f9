/**
 * `verifyGitOutputs` (SPEC §9 "Retry"): an earlier git success is reusable only while its output
 * commit exists and its evidence copy under `.agent/runs/<workflow id>/<unit_id>/` is unchanged.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import { createActivities, type VerifyGitOutputsInput } from '../../../src/activities';
import { commitFiles, write } from '../../git/git-repo';
import { gitFixture, removeGitFixtures } from './git-fixture';

afterAll(removeGitFixtures);

function verifyGitOutputs(input: VerifyGitOutputsInput): Promise<string[]> {
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  return env.run(createActivities().verifyGitOutputs, input);
}

const CONTENT = 'report\n';
const ARTIFACT = {
  name: 'out.md',
  size: CONTENT.length,
  sha256: createHash('sha256').update(CONTENT).digest('hex'),
};

describe('verifyGitOutputs', () => {
  it('keeps the units whose commit exists and whose evidence copy matches, and drops the others', async () => {
    const fixture = gitFixture();
    const commit = commitFiles(fixture.source, { 'src/a/f.txt': 'a\n' }, 'a', fixture.base);
    const runs = '.agent/runs/fanout-earlier';
    write(fixture.source, {
      [`${runs}/a/artifacts/out.md`]: CONTENT,
      [`${runs}/gone/artifacts/out.md`]: CONTENT,
      [`${runs}/edited/artifacts/out.md`]: 'edited\n',
    });

    const reusable = await verifyGitOutputs({
      repo: fixture.source,
      runId: 'fanout-earlier',
      units: {
        a: { commit, artifacts: [ARTIFACT] },
        gone: { commit: 'f'.repeat(40), artifacts: [ARTIFACT] },
        edited: { commit, artifacts: [ARTIFACT] },
        nothing: { commit, artifacts: [ARTIFACT] },
      },
    });

    expect(reusable).toEqual(['a']);
  });
});
