/**
 * The command-line interface: parsing and printing only. Anything that needs a broker, a
 * database or the file system comes in through `deps` from the composition root.
 */
import { Command } from 'commander';
import { registerAnalyzeCommand } from './commands/analyze.js';
import { registerConfigCommand } from './commands/config.js';
import { registerDiscoverCommand, type DiscoverDeps } from './commands/discover.js';
import { registerDlqCommands } from './commands/dlq.js';
import { registerFilesCommand } from './commands/files.js';
import { registerMonitoringCommands } from './commands/monitoring.js';
import { registerReportCommand } from './commands/report.js';
import { registerSearchCommand } from './commands/search.js';
import { registerSelectCommand } from './commands/select.js';
import { registerServeCommand, type ServeDeps } from './commands/serve.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTopicsCommands } from './commands/topics.js';
import { registerWorkerCommand } from './commands/worker.js';
import type { CliDeps } from './deps.js';

export type { CliDeps } from './deps.js';

export type ProgramDeps = CliDeps & ServeDeps & DiscoverDeps;

export function createProgram(deps: ProgramDeps): Command {
  const program = new Command('repolens')
    .description('Discover, clone, select, index and analyse git repositories')
    .version(deps.version)
    .showHelpAfterError()
    .configureOutput({ writeOut: deps.io.out, writeErr: deps.io.err })
    // Errors become exceptions so the composition root alone decides the exit code.
    .exitOverride();
  // The everyday commands first, as `--help` lists them in this order.
  registerAnalyzeCommand(program, deps);
  registerReportCommand(program, deps, async (config) => {
    const stores = await deps.openStores(config);
    return { store: stores.reports, close: () => stores.close() };
  });
  registerSearchCommand(program, deps, async (config) => {
    const stores = await deps.openStores(config);
    return { index: stores.index, embedder: stores.embedder, close: () => stores.close() };
  });
  registerStatusCommand(program, deps);
  registerSelectCommand(program, deps);
  registerFilesCommand(program, deps, async (config) => {
    const stores = await deps.openStores(config);
    return { store: stores.manifests, close: () => stores.close() };
  });
  registerDiscoverCommand(program, deps);
  registerWorkerCommand(program, deps);
  registerServeCommand(program, deps);
  registerTopicsCommands(program, deps);
  registerDlqCommands(program, deps);
  registerMonitoringCommands(program, deps);
  registerConfigCommand(program, deps);
  return program;
}
