import { INSTALL_HINT, provisionTemporalCli } from '../lib/temporal-cli';

/** `npm run temporal:provision`: finds or builds the Temporal CLI and prints its path. */
provisionTemporalCli()
  .then((path) => {
    if (!path) throw new Error(INSTALL_HINT);
    console.log(path);
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
