/**
 * The worker image's Dockerfile and .dockerignore, parsed here and, where the pinned hadolint is
 * installed, linted by it. Nothing here builds the image: CI has no Docker engine.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  PROJECT_ROOT,
  execForm,
  imageTag,
  isDockerIgnored,
  itWithTool,
  parseDockerfile,
  readProjectFile,
  runTool,
  stages,
  type Instruction,
} from './deploy-files';

const instructions = parseDockerfile(readProjectFile('Dockerfile'));
const allStages = stages(instructions);
const stageNames = new Set(allStages.flatMap((stage) => (stage.name === undefined ? [] : [stage.name])));
const final = allStages[allStages.length - 1]!;
const dockerignore = readProjectFile('.dockerignore');

function finalStage(keyword: string): Instruction[] {
  return final.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The last of an instruction in the final stage: the one that counts (USER, ENTRYPOINT, CMD...). */
function lastInFinal(keyword: string): string | undefined {
  return finalStage(keyword).at(-1)?.args;
}

/** Source paths of a COPY or ADD, without its flags; `--from` copies are not from the context. */
function copySources(instruction: Instruction): { fromStage: boolean; sources: string[] } {
  const words = instruction.args.split(/\s+/);
  const fromStage = words.some((word) => word.startsWith('--from='));
  const paths = words.filter((word) => !word.startsWith('--'));
  return { fromStage, sources: paths.slice(0, -1) };
}

describe('Dockerfile', () => {
  it('builds in two stages: a build stage, then the runtime the image runs', () => {
    expect(allStages.map((stage) => stage.name)).toEqual(['build', 'runtime']);
  });

  it('pins every base image to a version, never latest', () => {
    for (const stage of allStages) {
      const tag = stageNames.has(stage.image) ? 'a stage' : imageTag(stage.image);
      expect({
        image: stage.image,
        tag,
        pinned: tag !== undefined && tag !== 'latest' && /\d/.test(tag),
      }).toEqual({
        image: stage.image,
        tag,
        pinned: true,
      });
    }
  });

  it('runs on Debian with Node 20 (glibc for the SDK native core), not Alpine', () => {
    expect(final.image).toMatch(/^node:20\.\d+-(bookworm|bullseye)(-slim)?$/);
    expect(allStages.every((stage) => !/alpine/i.test(stage.image))).toBe(true);
  });

  it('runs the final stage as a non-root user', () => {
    const user = lastInFinal('USER');
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
  });

  it('starts the worker through bin/agent-fanout.js and stops it with SIGTERM', () => {
    expect(execForm(lastInFinal('ENTRYPOINT') ?? '')).toEqual(['node', '/app/bin/agent-fanout.js']);
    expect(execForm(lastInFinal('CMD') ?? '')).toEqual(['worker']);
    expect(lastInFinal('STOPSIGNAL')).toBe('SIGTERM');
    expect(lastInFinal('WORKDIR')).toBe('/app');
    expect(finalStage('COPY').map((copy) => copy.args)).toEqual(
      expect.arrayContaining(['bin ./bin', '--from=build /app/dist ./dist']) as unknown,
    );
  });

  it('installs with npm ci and without install scripts, production dependencies only at runtime', () => {
    const installs = instructions.filter(
      (instruction) => instruction.keyword === 'RUN' && instruction.args.includes('npm ci'),
    );
    expect(installs).toHaveLength(2);
    for (const install of installs) expect(install.args).toContain('--ignore-scripts');
    expect(finalStage('RUN').find((run) => run.args.includes('npm ci'))?.args).toContain('--omit=dev');
  });

  it('prebuilds the workflow bundle in the build stage', () => {
    const build = allStages[0]!.instructions.filter((instruction) => instruction.keyword === 'RUN');
    expect(build.map((run) => run.args)).toContain('npm run build');
    const scripts = (JSON.parse(readProjectFile('package.json')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.build).toContain('build-workflow-bundle');
  });

  it('installs git in the runtime image, for the agents that work on the checkout', () => {
    expect(finalStage('RUN').some((run) => /apt-get install\b[^&]*\bgit\b/.test(run.args))).toBe(true);
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const copies = instructions.filter((instruction) => instruction.keyword === 'COPY');
    for (const copy of copies) {
      const { fromStage, sources } = copySources(copy);
      if (fromStage) continue;
      for (const source of sources) {
        expect({
          source,
          exists: existsSync(path.join(PROJECT_ROOT, source)),
          ignored: isDockerIgnored(source, dockerignore),
        }).toEqual({ source, exists: true, ignored: false });
      }
    }
  });

  it('adds nothing from a URL and sets no secret in ENV, ARG or LABEL', () => {
    expect(instructions.filter((instruction) => instruction.keyword === 'ADD')).toEqual([]);
    const settings = instructions.filter((instruction) =>
      ['ENV', 'ARG', 'LABEL'].includes(instruction.keyword),
    );
    for (const setting of settings) {
      expect({
        line: setting.line,
        secret: /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|CREDENTIAL)/i.test(setting.args),
      }).toEqual({
        line: setting.line,
        secret: false,
      });
    }
  });

  itWithTool('hadolint', 'passes hadolint (with the ignores in .hadolint.yaml)', (hadolint) => {
    const result = runTool(hadolint, ['--no-color', 'Dockerfile']);
    expect({ status: result.status, findings: result.stdout + result.stderr }).toEqual({
      status: 0,
      findings: '',
    });
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, tools, agent output, git data and env files out of the context', () => {
    for (const entry of [
      'node_modules',
      'dist',
      '.tools',
      '.agent',
      '.git',
      'test-output',
      'coverage',
      '.env',
      '.env.local',
    ]) {
      expect({
        entry,
        ignored: isDockerIgnored(`${entry}/anything`, dockerignore) || isDockerIgnored(entry, dockerignore),
      }).toEqual({ entry, ignored: true });
    }
  });
});
