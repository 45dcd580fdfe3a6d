/** A load-generating child process and its message channel, for the bench's workers. */
import { fork, type ChildProcess } from 'node:child_process';

/** Every worker still running, so an aborted run leaves none behind. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Forks `script` under tsx and talks to it: `post` sends a command, `request` sends one and
 * waits for the first message of a given `ev`; messages `{ev:'error', message}` are collected in
 * `errors` (bounded) instead of answering anything. `close` asks the worker to stop and kills
 * it if it has not within 3 s.
 */
export class ForkedWorker<Out extends object, In extends { ev: string }> {
  readonly child: ChildProcess;
  readonly errors: string[] = [];
  private waiters: { ev: string; resolve: (m: In) => void; reject: (e: Error) => void }[] = [];

  constructor(
    script: string,
    private readonly options: { label: string; execArgv?: string[]; maxErrors: number; closeMessage: Out },
  ) {
    this.child = fork(script, [], { execArgv: [...(options.execArgv ?? []), '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    live.add(this.child);
    this.child.on('message', (m: In) => {
      if (m.ev === 'error') {
        if (this.errors.length < options.maxErrors) this.errors.push(String((m as { message?: unknown }).message));
        return;
      }
      const i = this.waiters.findIndex((w) => w.ev === m.ev);
      const w = this.waiters[i];
      if (w) {
        this.waiters.splice(i, 1);
        w.resolve(m);
      }
    });
    this.child.on('exit', (code) => {
      live.delete(this.child);
      for (const w of this.waiters) w.reject(new Error(`${options.label} exited (${code})`));
      this.waiters = [];
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  post(m: Out): void {
    this.child.send(m);
  }

  request<T extends In>(m: Out, ev: T['ev'], timeoutMs = 600_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.options.label}: no '${ev}' within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        ev,
        resolve: (msg) => {
          clearTimeout(t);
          resolve(msg as T);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      try {
        this.post(m);
      } catch (e) {
        clearTimeout(t);
        reject(e as Error);
      }
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, 3000);
      this.child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      try {
        this.post(this.options.closeMessage);
      } catch {
        this.child.kill('SIGKILL');
      }
    });
  }
}
