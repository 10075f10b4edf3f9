/** validatePlanText on accepted plans: the defaults of SPEC §1 and the normalized plan. */
import { validatePlanText } from '../../src/plan/validate';
import { accepted, goodUnit, validateObject } from './helpers/plan-files';

describe('validatePlanText: defaults and normalization (SPEC §1)', () => {
  it('gives a minimal plan every default of SPEC §1, named after its file', () => {
    const { plan } = accepted(validateObject({ work_units: [goodUnit('a')] }));
    expect(plan).toMatchObject({
      name: 'demo',
      maxWorkers: 8,
      onFailure: 'cancel',
      overlap: 'reject',
      agent: {
        env: {},
        timeout: { ms: 7_200_000, text: '2h' },
        idleTimeout: { ms: 1_800_000, text: '30m' },
        grace: { ms: 2_000, text: '2s' },
      },
      retry: {
        maxAttempts: 1,
        initialInterval: { ms: 10_000, text: '10s' },
        backoff: 2,
        maxInterval: { ms: 600_000, text: '10m' },
      },
      evidence: { pattern: '*' },
      namespaceRoot: '.agent/workers',
    });
    expect(plan.agent.command).toBeUndefined();
    expect(plan.workUnits[0]).toEqual({
      unitId: 'a',
      description: 'Implement a.',
      allowedDirectories: ['src/a'],
      dependencies: [],
      stepIds: [],
      command: ['agent', '{prompt_file}'],
    });
  });

  it('keeps durations as written and shows integer milliseconds as <n>ms (SPEC §7.6)', () => {
    const { plan } = accepted(
      validateObject({
        agent: { timeout: '500ms', idle_timeout: 90_000, grace: '0s' },
        retry: { initial_interval: '5m', max_interval: '2h' },
        work_units: [goodUnit('a', { timeout: '3s', idle_timeout: 1500 })],
      }),
    );
    expect(plan.agent.timeout).toEqual({ ms: 500, text: '500ms' });
    expect(plan.agent.idleTimeout).toEqual({ ms: 90_000, text: '90000ms' });
    expect(plan.agent.grace).toEqual({ ms: 0, text: '0s' });
    expect(plan.retry.initialInterval).toEqual({ ms: 300_000, text: '5m' });
    expect(plan.retry.maxInterval).toEqual({ ms: 7_200_000, text: '2h' });
    expect(plan.workUnits[0]?.timeout).toEqual({ ms: 3_000, text: '3s' });
    expect(plan.workUnits[0]?.idleTimeout).toEqual({ ms: 1_500, text: '1500ms' });
  });

  it('normalizes namespace_root and keeps a unit retry as the keys it overrides', () => {
    const { plan } = accepted(
      validateObject({
        namespace_root: './var//fanout/',
        work_units: [goodUnit('a', { retry: { max_attempts: 3 } })],
      }),
    );
    expect(plan.namespaceRoot).toBe('var/fanout');
    expect(plan.workUnits[0]?.retry).toEqual({ maxAttempts: 3 });
  });

  it('uses --agent-command as agent.command when the plan has none (SPEC §7.9)', () => {
    const unit = { unit_id: 'a', description: 'x', allowed_directories: ['src/a'] };
    const { plan, warnings } = accepted(
      validateObject({ work_units: [unit] }, { agentCommand: ['claude', '-p'] }),
    );
    expect(plan.agent.command).toEqual(['claude', '-p']);
    expect(warnings).toEqual([]);
  });

  it("keeps the plan's agent.command over --agent-command, with a warning", () => {
    const result = accepted(
      validateObject({ agent: { command: ['mine'] }, work_units: [] }, { agentCommand: ['theirs'] }),
    );
    expect(result.plan.agent.command).toEqual(['mine']);
    expect(result.warnings).toEqual([expect.stringContaining('--agent-command is ignored')]);
  });

  it('ignores unknown top-level keys with one warning line naming them (a Ralph planning artifact)', () => {
    const result = accepted(
      validateObject({ phase: 'development', work_units: [goodUnit('a')], steps: [{ id: 'S-1' }] }),
    );
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/'phase', 'steps'/);
    expect(result.warnings[0]).not.toMatch(/\n/);
  });

  it('reads a YAML plan like its JSON twin', () => {
    const yaml = [
      '# a comment',
      'name: twin',
      'agent:',
      '  command: ["agent", "--prompt", "{prompt_file}"]',
      '  timeout: 2m',
      'work_units:',
      '  - unit_id: api',
      '    description: |',
      '      Build the API.',
      '      Keep it small.',
      '    allowed_directories: [src/api]',
      '  - unit_id: ui',
      '    description: Build the UI',
      '    allowed_directories:',
      '      - src/ui',
      '    dependencies: [api]',
    ].join('\n');
    const json = {
      name: 'twin',
      agent: { command: ['agent', '--prompt', '{prompt_file}'], timeout: '2m' },
      work_units: [
        { unit_id: 'api', description: 'Build the API.\nKeep it small.\n', allowed_directories: ['src/api'] },
        {
          unit_id: 'ui',
          description: 'Build the UI',
          allowed_directories: ['src/ui'],
          dependencies: ['api'],
        },
      ],
    };
    expect(accepted(validatePlanText(yaml, { fileName: 'twin.yaml' })).plan).toEqual(
      accepted(validateObject(json)).plan,
    );
  });
});
