/** The repository's own files: what git tracks (or would track: new files not ignored), by path from the root. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');

let cached: string[] | undefined;

/** Every file git tracks or would track (untracked but not ignored), deleted ones left out. */
export function repoFiles(): string[] {
  cached ??= execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\0')
    .filter((file) => file !== '' && existsSync(path.join(REPO, file)));
  return [...new Set(cached)].sort();
}

/** The TypeScript sources under a folder (tests and declarations left out). */
export function sourceFiles(folder: string): string[] {
  return repoFiles().filter((file) => file.startsWith(`${folder}/`) && file.endsWith('.ts') && !file.endsWith('.d.ts'));
}
