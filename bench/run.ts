import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runBench } from './bench';
import { parseOptions, USAGE } from './options';
import { markdown } from './report';

/** `npm run bench -- [options]`: runs every measurement, writes the JSON, prints the Markdown report. */
async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const out = resolve(options.out);
  const outputDir = dirname(out);
  mkdirSync(outputDir, { recursive: true });
  const log = (line: string) => console.error(line);
  log(`[bench] options ${JSON.stringify(options)}`);
  const result = await runBench(options, { temporalAddress: process.env.TEMPORAL_ADDRESS || undefined, databaseUrl: process.env.DATABASE_URL || undefined, outputDir }, log);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(markdown(result));
  log(`[bench] results: ${out}; service logs: ${outputDir}/api.log, ${outputDir}/worker.log${options.profile ? `; CPU profiles: ${outputDir}/profiles/` : ''}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
