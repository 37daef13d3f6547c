import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The CLI we pin: it embeds Temporal server 1.29.1 and the Web UI. */
const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

/** User-level cache, outside the repo, so later runs and CI on the same machine reuse one build. */
function temporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'linquid-integrations', 'temporal-cli', TEMPORAL_CLI_VERSION);
}

/**
 * Finds the Temporal CLI (`TEMPORAL_CLI_PATH`, `temporal` on PATH, the cache) or builds the pinned
 * version with `go install` into the cache. Returns undefined when neither a binary nor Go is
 * available, so a caller with internet may fall back to the SDK's own download.
 */
export async function provisionTemporalCli(log: (line: string) => void = console.error): Promise<string | undefined> {
  const configured = process.env.TEMPORAL_CLI_PATH;
  if (configured) {
    if (!executable(configured)) throw new Error(`TEMPORAL_CLI_PATH=${configured} is not an executable file`);
    return configured;
  }
  const fromPath = onPath('temporal');
  if (fromPath) return fromPath;
  const cacheDir = temporalCacheDir();
  const cached = join(cacheDir, 'temporal');
  if (executable(cached)) return cached;
  if (!onPath('go')) return undefined;

  mkdirSync(cacheDir, { recursive: true });
  log(`[temporal] building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install into ${cacheDir} (a few minutes, once per machine)…`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', '-v', GO_PACKAGE], {
      env: { ...process.env, GOBIN: cacheDir, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let built = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      // `go install -v` names every package it compiles: a progress line every 100 of them.
      built += chunk.toString().split('\n').filter(Boolean).length;
      if (built % 100 < 5) log(`[temporal] …${built} packages so far`);
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install ${GO_PACKAGE} exited with ${code}`))));
  });
  log(`[temporal] built ${cached}`);
  return cached;
}

export const INSTALL_HINT =
  'No Temporal CLI found. Install Go (https://go.dev/dl, or `apt-get install golang`) and run again, ' +
  `or run \`go install ${GO_PACKAGE}\` yourself and set TEMPORAL_CLI_PATH, or point TEMPORAL_ADDRESS at a running Temporal server.`;
