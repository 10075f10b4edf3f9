/**
 * An attempt's confinement, decided and prepared just before its agent starts (SPEC §8.1,
 * §7.13): under `landlock`, the unit's allowed directories are created when missing (a Landlock
 * rule holds only an existing path), the agent's TMPDIR becomes its namespace's `tmp/` (the
 * directories around the repo are not writable), and the supervisor is given the paths the agent
 * may write inside the repo: its allowed directories, its namespace and `agent.writable`; and the
 * paths outside it that stay unwritable: a git run's source checkout (§9), whose working tree the
 * agent works in.
 */

import { mkdirSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { AttemptContainment, ConfinementMode, UnitSettings, WorkUnit } from '../../plan/types';
import type { AttemptInput } from '../types';
import type { NamespacePaths } from '../unit-files/namespace';
import type { SupervisorKind } from '../agent/agent-process';
import { decideConfinement, isInsideHome } from './confinement-mode';
import type { LandlockLaunch } from './landlock-spec';

export interface ContainmentInput {
  /** The checkout's real path: the agent's cwd (in a git run, its working tree). */
  readonly repo: string;
  readonly paths: NamespacePaths;
  readonly unit: Pick<WorkUnit, 'allowedDirectories'>;
  readonly settings: Pick<UnitSettings, 'confinement' | 'writable'>;
  readonly deps: { readonly supervisor?: SupervisorKind; readonly env: { readonly HOME?: string } };
  /**
   * Real paths outside `repo` the agent must not write (see {@link sourceCheckoutRoots}). By
   * default one beneath $HOME stays writable, for the reason §8.1 audits a checkout there.
   */
  readonly readOnlyRoots?: readonly string[];
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

export function sourceInsideHome(source: string): string {
  return (
    `confinement: ${source} is inside $HOME, where agents save their settings; the working trees ` +
    'are confined, this source checkout is not (confinement: landlock confines it too)'
  );
}

export async function prepareContainment(input: ContainmentInput): Promise<PreparedContainment> {
  const { repo, paths, settings } = input;
  const home = input.deps.env.HOME;
  const { mode, warning } = await decideConfinement({
    requested: settings.confinement,
    repo,
    supervisor: input.deps.supervisor,
    home,
  });
  if (mode !== 'landlock') {
    return { mode, attempt: { confinement: mode, ...(warning === null ? {} : { warning }) }, env: {} };
  }
  const areas = input.unit.allowedDirectories.map((directory) => path.join(repo, directory));
  for (const area of areas) mkdirSync(area, { recursive: true });
  const extra = (settings.writable ?? []).map((entry) => path.join(repo, entry));
  const readOnly: string[] = [];
  let sourceWarning: string | undefined;
  for (const root of input.readOnlyRoots ?? []) {
    // As §8.1 by default audits a checkout beneath $HOME, rather than refuse new entries there.
    if (settings.confinement === undefined && isInsideHome(root, home))
      sourceWarning ??= sourceInsideHome(root);
    else readOnly.push(root);
  }
  return {
    mode,
    attempt: { confinement: mode, ...(sourceWarning === undefined ? {} : { warning: sourceWarning }) },
    landlock: { writable: [...areas, paths.root, ...extra], readOnly },
    env: { TMPDIR: paths.tmpDir },
  };
}

/**
 * The paths outside the agent's repo that it must not write: in a git run (SPEC §9) the source
 * checkout (`input.repo`), when the agent works in a working tree elsewhere (`agentRepo`).
 */
export async function sourceCheckoutRoots(
  input: Pick<AttemptInput, 'repo' | 'git'>,
  agentRepo: string,
): Promise<string[]> {
  if (input.git === undefined) return [];
  const source = await realpath(input.repo).catch(() => path.resolve(input.repo));
  return source === agentRepo ? [] : [source];
}
