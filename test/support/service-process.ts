import { type ChildProcess, spawn } from 'node:child_process';

/** `node dist/api/main.js` or `node dist/worker/main.js` as production runs it, with its JSON log lines kept. */
export interface ServiceProcess {
  pid: number;
  /** The exit code or signal, once it has exited. */
  exit(): number | string | undefined;
  /** How many log lines so far have this `msg`. */
  logged(msg: string): number;
  /** Everything it wrote, for a failing test's message. */
  output(): string;
  /** SIGKILL: the test is over, nothing of the process is needed any more. */
  kill(): Promise<void>;
}

export function startServiceProcess(role: 'api' | 'worker', env: NodeJS.ProcessEnv): ServiceProcess {
  const child: ChildProcess = spawn(process.execPath, [require.resolve(`../../${role}/main`)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const messages = new Map<string, number>();
  let exited: number | string | undefined;
  const read = (stream: NodeJS.ReadableStream) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      const complete = (partial + text).split('\n');
      partial = complete.pop()!;
      for (const line of complete) {
        lines.push(line);
        try {
          const { msg } = JSON.parse(line) as { msg?: string };
          if (msg) messages.set(msg, (messages.get(msg) ?? 0) + 1);
        } catch {
          // not a log line (a stack trace on stderr): kept in the output only
        }
      }
    });
  };
  read(child.stdout!);
  read(child.stderr!);
  child.once('exit', (code, signal) => (exited = code ?? signal ?? 'unknown'));
  return {
    pid: child.pid!,
    exit: () => exited,
    logged: (msg) => messages.get(msg) ?? 0,
    output: () => lines.join('\n'),
    kill: () =>
      new Promise<void>((gone) => {
        if (exited !== undefined) return gone();
        child.once('exit', () => gone());
        child.kill('SIGKILL');
      }),
  };
}

/** Installs an integration through a running API process (`POST /v1/integrations`); it must come out active. */
export async function installThrough(apiUrl: string, key: string, provider: string, settings: unknown, secrets: unknown): Promise<string> {
  const response = await fetch(`${apiUrl}/v1/integrations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ provider, settings, secrets }),
  });
  const installed = (await response.json()) as { id: string; state: string };
  expect([response.status, installed.state]).toEqual([201, 'active']);
  return installed.id;
}
