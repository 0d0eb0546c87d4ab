/** The git adapter: the `Git` port on the git CLI (see README.md). */
export {
  createGitCli,
  DEFAULT_ALLOWED_PROTOCOLS,
  DEFAULT_GIT_TIMEOUT_MS,
  DEFAULT_MAX_FILES,
  DEFAULT_MAX_REPOSITORY_BYTES,
  type GitCli,
  type GitCliOptions,
} from './git-cli.js';
export { GitErrorCodes, type GitErrorCode } from './errors.js';
export { parseRepositoryUrl, type ParsedRepositoryUrl, type RepositoryUrlPolicy } from './url-policy.js';
