/**
 * The file and process checks of the scenarios README (§3.5): `files` (exist, absent, contains,
 * has_lines, line_count) and `pids_dead`, both relative to the scenario's repo R.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface ScenarioFiles {
  exist?: string[];
  absent?: string[];
  contains?: Record<string, string[]>;
  has_lines?: Record<string, string[]>;
  line_count?: Record<string, number>;
}

/** Something is at `file`, a dangling symlink included. */
export function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

export async function checkPidsDead(repo: string, pidFiles: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const file of pidFiles) {
    const full = path.join(repo, file);
    if (!existsSync(full)) {
      problems.push(`pid file ${file} missing`);
      continue;
    }
    const pid = Number(readFileSync(full, 'utf8').trim());
    const deadline = Date.now() + 5000;
    while (!processGone(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!processGone(pid)) {
      problems.push(`process ${pid} from ${file} is still alive`);
      process.kill(pid, 'SIGKILL');
    }
  }
  return problems;
}

function lines(text: string): string[] {
  const parts = text.split('\n').map((line) => line.replace(/\r$/, ''));
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function checkFiles(repo: string, files: ScenarioFiles): string[] {
  const problems: string[] = [];
  const read = (file: string): string | undefined => {
    const full = path.join(repo, file);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  };
  for (const file of files.exist ?? [])
    if (!exists(path.join(repo, file))) problems.push(`${file} does not exist`);
  for (const file of files.absent ?? []) if (exists(path.join(repo, file))) problems.push(`${file} exists`);
  for (const [file, needles] of Object.entries(files.contains ?? {})) {
    const text = read(file);
    for (const needle of needles)
      if (!text?.includes(needle)) problems.push(`${file} lacks ${JSON.stringify(needle)}`);
  }
  for (const [file, wanted] of Object.entries(files.has_lines ?? {})) {
    const have = lines(read(file) ?? '');
    for (const line of wanted)
      if (!have.includes(line)) problems.push(`${file} lacks line ${JSON.stringify(line)}`);
  }
  for (const [file, count] of Object.entries(files.line_count ?? {})) {
    const have = lines(read(file) ?? '').length;
    if (have !== count) problems.push(`${file} has ${have} lines, expected ${count}`);
  }
  return problems;
}
