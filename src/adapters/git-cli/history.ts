/**
 * Commit history from `git log --name-only`: the paths each commit touched, found by comparing
 * trees only. A blobless clone has every commit and tree but no old blobs, so anything that
 * reads blobs (rename detection, `--stat`, `-p`) would fetch them one by one from the server;
 * the log runs with renames off and with no protocol allowed, so such a fetch fails instead of
 * happening (git-cli.ts). Merge commits list no paths (git's default: their changes are counted
 * on the side branch where they were made).
 *
 * Output is NUL-separated (`-z`); each commit starts with a random marker token, so a hostile
 * file or author name cannot pass itself off as the start of another commit.
 */
import { randomBytes } from 'node:crypto';
import type { CommitRecord } from '../../ports/git.js';

export interface LogCommand {
  readonly args: string[];
  parse(output: string): CommitRecord[];
}

export function logCommand(commit: string, maxCommits: number | undefined): LogCommand {
  const marker = `repolens-${randomBytes(8).toString('hex')}`;
  return {
    args: [
      'log',
      '-z',
      '--no-renames',
      '--name-only',
      '--no-color',
      '--no-show-signature',
      `--format=${marker}%x00%H%x00%an%x00%ae%x00%aI%x00`,
      ...(maxCommits === undefined ? [] : [`--max-count=${maxCommits}`]),
      commit,
      '--',
    ],
    parse: (output) => parseLog(output, marker),
  };
}

function parseLog(output: string, marker: string): CommitRecord[] {
  const tokens = output.split('\0');
  const commits: CommitRecord[] = [];
  let current: { sha: string; authorName: string; authorEmail: string; authoredAt: Date; files: string[] } | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const raw = tokens[i] as string;
    // git puts a newline between a commit's header and its names, and between commits.
    if (raw.replace(/^\n+/, '') === marker) {
      if (current !== undefined) commits.push(current);
      current = {
        sha: tokens[i + 1] ?? '',
        authorName: tokens[i + 2] ?? '',
        authorEmail: (tokens[i + 3] ?? '').toLowerCase(),
        authoredAt: new Date(tokens[i + 4] ?? ''),
        files: [],
      };
      i += 4;
    } else if (current !== undefined) {
      const name = current.files.length === 0 ? raw.replace(/^\n/, '') : raw;
      if (name !== '') current.files.push(name);
    }
  }
  if (current !== undefined) commits.push(current);
  return commits;
}
