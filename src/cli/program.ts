/**
 * The command-line interface: parsing and printing only. Anything that needs a broker, a
 * database or the file system comes in through `deps` from the composition root.
 */
import { Command } from 'commander';
import { registerDlqCommands } from './commands/dlq.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTopicsCommands } from './commands/topics.js';
import type { CliDeps } from './deps.js';

export type { CliDeps } from './deps.js';

export function createProgram(deps: CliDeps): Command {
  const program = new Command('repolens')
    .description('Discover, clone, select, index and analyse git repositories')
    .version(deps.version)
    .showHelpAfterError()
    .configureOutput({ writeOut: deps.io.out, writeErr: deps.io.err })
    // Errors become exceptions so the composition root alone decides the exit code.
    .exitOverride();
  registerTopicsCommands(program, deps);
  registerDlqCommands(program, deps);
  registerStatusCommand(program, deps);
  return program;
}
