import { fork, type ChildProcess } from 'node:child_process';

/** A request/response protocol over the Node IPC channel of a forked helper process. */
interface Request {
  rpc: number;
  method: string;
  params: unknown;
}

interface Response {
  rpc: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

type Api<A> = { [K in keyof A]: (params: never) => unknown };
type Params<A extends Api<A>, K extends keyof A> = Parameters<A[K]>[0];
type Result<A extends Api<A>, K extends keyof A> = Awaited<ReturnType<A[K]>>;

export class RpcClient<A extends Api<A>> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  readonly exited: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.on('message', (message: Response) => {
      const entry = this.pending.get(message.rpc);
      if (entry === undefined) return;
      this.pending.delete(message.rpc);
      clearTimeout(entry.timer);
      if (message.ok) entry.resolve(message.result);
      else entry.reject(new Error(`${name}: ${message.error ?? 'failed'}`));
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        for (const entry of this.pending.values()) {
          clearTimeout(entry.timer);
          entry.reject(new Error(`${name} exited (code ${code}) before answering`));
        }
        this.pending.clear();
        resolve(code);
      });
    });
  }

  call<K extends keyof A & string>(method: K, params: Params<A, K>, timeoutMs = 60_000): Promise<Result<A, K>> {
    const rpc = this.nextId++;
    return new Promise<Result<A, K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rpc);
        reject(new Error(`${this.name}.${method}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(rpc, { resolve, reject, timer });
      const request: Request = { rpc, method, params };
      this.child.send(request, (error) => {
        if (error === null || error === undefined) return;
        clearTimeout(timer);
        this.pending.delete(rpc);
        reject(error);
      });
    });
  }

  /** Asks nicely (close), then kills after graceMs. */
  async shutdown(graceMs = 3000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      await this.call('close' as never, {} as never, graceMs).catch(() => undefined);
      this.child.disconnect?.();
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Forks a compiled helper (build/bench/<file>.js) with an IPC channel. */
export function forkHelper<A extends Api<A>>(file: string, name: string, execArgv: string[] = []): RpcClient<A> {
  const child = fork(file, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  return new RpcClient<A>(child, name);
}

/** In a helper: answers requests with these handlers. Exits when the parent goes away. */
export function serveRpc<A extends Api<A>>(handlers: { [K in keyof A]: (params: Params<A, K>) => Result<A, K> | Promise<Result<A, K>> }): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('this helper must be started by the bench (child_process.fork)');
  process.on('message', (message: Request) => {
    const handler = (handlers as Record<string, ((params: unknown) => unknown) | undefined>)[message.method];
    const reply = (response: Response) => {
      if (process.connected) send(response);
    };
    if (handler === undefined) {
      reply({ rpc: message.rpc, ok: false, error: `unknown method ${message.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.params))
      .then(
        (result) => reply({ rpc: message.rpc, ok: true, result }),
        (error: unknown) => reply({ rpc: message.rpc, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}
