/**
 * The direct mode of bench:pipeline in a process of its own, started fresh for every run as the
 * workers are (see startDirectProcess in pipeline-direct.ts): a bench process that ran the direct
 * mode again and again measured its later runs slower, so it would have flattered the pipeline.
 * Driven over IPC: `{ urls }` runs them and answers `{ work }` (or `{ error }`); `close` ends it.
 */
import { openDirectRunner } from './pipeline-direct.js';

type Request = { readonly urls: readonly string[] } | 'close';

const [scratch, concurrency] = process.argv.slice(2);
if (scratch === undefined || concurrency === undefined || process.send === undefined) {
  throw new Error('usage: started by startDirectProcess with <scratch dir> <concurrency> and an IPC channel');
}
const send = process.send.bind(process);
const runner = await openDirectRunner(scratch, Number(concurrency));

process.on('message', (request: Request) => {
  if (request === 'close') {
    void runner.close().finally(() => process.exit(0));
    return;
  }
  const work: number[][] = Array.from({ length: runner.stageCount }, () => []);
  runner.run(request.urls, work).then(
    () => send({ work }),
    (error: unknown) => send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
send({ stageCount: runner.stageCount });
