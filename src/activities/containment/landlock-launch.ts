/**
 * An attempt's confinement, decided and prepared just before its agent starts (SPEC §8.1,
 * §7.13): under `landlock`, the unit's allowed directories are created when missing (a Landlock
 * rule holds only an existing path), the agent's TMPDIR becomes its namespace's `tmp/` (the
 * directories around the repo are not writable), and the supervisor is given the paths the agent
 * may write inside the repo: its allowed directories, its namespace and `agent.writable`.
 */

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AttemptContainment, ConfinementMode, UnitSettings, WorkUnit } from '../../plan/types';
import type { NamespacePaths } from '../unit-files/namespace';
import type { SupervisorKind } from '../agent/agent-process';
import { decideConfinement } from './confinement-mode';
import type { LandlockLaunch } from './landlock-spec';

export interface ContainmentInput {
  /** The checkout's real path. */
  readonly repo: string;
  readonly paths: NamespacePaths;
  readonly unit: Pick<WorkUnit, 'allowedDirectories'>;
  readonly settings: Pick<UnitSettings, 'confinement' | 'writable'>;
  readonly deps: { readonly supervisor?: SupervisorKind; readonly env: { readonly HOME?: string } };
}

export interface PreparedContainment {
  readonly mode: ConfinementMode;
  /** What the attempt reports: its mode, and the warning when it is less than asked for. */
  readonly attempt: AttemptContainment;
  /** Set under `landlock`: what the supervisor confines the agent to. */
  readonly landlock?: LandlockLaunch;
  /** Variables that override the agent's environment. */
  readonly env: Readonly<Record<string, string>>;
}

export async function prepareContainment(input: ContainmentInput): Promise<PreparedContainment> {
  const { repo, paths, settings } = input;
  const { mode, warning } = await decideConfinement({
    requested: settings.confinement,
    repo,
    supervisor: input.deps.supervisor,
    home: input.deps.env.HOME,
  });
  const attempt: AttemptContainment = { confinement: mode, ...(warning === null ? {} : { warning }) };
  if (mode !== 'landlock') return { mode, attempt, env: {} };
  const areas = input.unit.allowedDirectories.map((directory) => path.join(repo, directory));
  for (const area of areas) await mkdir(area, { recursive: true });
  const extra = (settings.writable ?? []).map((entry) => path.join(repo, entry));
  return {
    mode,
    attempt,
    landlock: { writable: [...areas, paths.root, ...extra] },
    env: { TMPDIR: paths.tmpDir },
  };
}
