/**
 * The environment and `-c` settings every git invocation runs with (DESIGN.md §3). git starts
 * from a clean environment: PATH and only what is set here, so no user or system config, no
 * credential helper, no prompt and no SSH agent can change what it does. Protocols are limited
 * twice (`protocol.*.allow` and `GIT_ALLOW_PROTOCOL`, which also binds the subprocesses git
 * starts for lazy fetches); hooks point at /dev/null; submodules are never recursed into; links
 * stay links. Credentials go in as an `http.<origin>/.extraHeader` through `GIT_CONFIG_COUNT`
 * (never argv, never the URL), scoped to the repository's origin so a redirect to another host
 * does not receive them.
 */

export interface GitEnvironmentOptions {
  /** PATH for git and the programs it starts (ssh). */
  readonly path: string;
  /** An empty, private directory: git and ssh find no dotfiles there. */
  readonly home: string;
  /** Protocols git may use; empty means none (local-only commands). */
  readonly protocols: readonly string[];
  /** Basic-auth header for this origin (`https://host[:port]`), if credentials apply. */
  readonly basicAuth?: { readonly origin: string; readonly username: string; readonly password: string };
}

/** Settings passed as `-c` (they are no secret; children inherit them via GIT_CONFIG_PARAMETERS). */
export function gitConfigArgs(protocols: readonly string[]): string[] {
  const settings: Array<[string, string]> = [
    ['protocol.allow', 'never'],
    ...protocols.map((name): [string, string] => [`protocol.${name}.allow`, 'always']),
    ['core.hooksPath', '/dev/null'],
    ['core.symlinks', 'true'],
    ['core.fsmonitor', 'false'],
    ['core.askPass', 'false'],
    ['credential.helper', ''],
    ['submodule.recurse', 'false'],
    ['fetch.recurseSubmodules', 'false'],
    ['diff.renames', 'false'],
    // No background work left behind after we return (or after we kill a process group).
    ['gc.auto', '0'],
    ['gc.autoDetach', 'false'],
    ['maintenance.auto', 'false'],
    ['fetch.writeCommitGraph', 'false'],
    ['advice.detachedHead', 'false'],
    ['init.defaultBranch', 'main'],
  ];
  return settings.flatMap(([key, value]) => ['-c', `${key}=${value}`]);
}

export function gitEnvironment(options: GitEnvironmentOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: options.path,
    HOME: options.home,
    XDG_CONFIG_HOME: options.home,
    // Messages in English: errors.ts reads them.
    LC_ALL: 'C',
    LANG: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_ASKPASS: 'false',
    SSH_ASKPASS: 'false',
    SSH_ASKPASS_REQUIRE: 'never',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=30',
    GIT_SSH_VARIANT: 'ssh',
    // A value naming no protocol allows none (an empty list would too; this reads clearer).
    GIT_ALLOW_PROTOCOL: options.protocols.length === 0 ? 'none' : options.protocols.join(':'),
    GIT_PROTOCOL_FROM_USER: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_OPTIONAL_LOCKS: '0',
  };
  if (options.protocols.length === 0) {
    // git >= 2.44 honours this; older ones are stopped by the protocol lists above.
    env['GIT_NO_LAZY_FETCH'] = '1';
  }
  if (options.basicAuth !== undefined) {
    const { origin, username, password } = options.basicAuth;
    const token = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    env['GIT_CONFIG_COUNT'] = '1';
    env['GIT_CONFIG_KEY_0'] = `http.${origin}/.extraHeader`;
    env['GIT_CONFIG_VALUE_0'] = `Authorization: Basic ${token}`;
  }
  return env;
}
