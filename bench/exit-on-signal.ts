/**
 * Preloaded (`--require`) into the API and worker the bench starts: a process killed by a signal writes
 * no `--cpu-prof` profile, so SIGTERM becomes a normal exit.
 */
process.once('SIGTERM', () => process.exit(0));
