// The live V8 heap of a running server: heap in use right after a full GC, unlike the sampled "heap
// used" of /metrics, which includes garbage not yet collected. The soak compares it at 200k and 1M
// requests to tell a leak from V8 and malloc keeping memory they already have.
//
// The server is started with `--inspect-port=0` (INSPECT_ON_SIGNAL): that opens nothing. SIGUSR1 then
// starts Node's inspector on a free loopback port, which the server prints on stderr; one DevTools
// protocol session asks V8 for a full GC and for its heap usage. No heap snapshot: writing one leaves
// tens of MiB of malloc'd memory behind, which would show as RSS growth.

export const INSPECT_ON_SIGNAL = '--inspect-port=0';

type Call = (method: string, params?: object) => Promise<Record<string, unknown>>;

export class LiveHeap {
  readonly #ws: WebSocket;
  readonly #call: Call;

  private constructor(ws: WebSocket, call: Call) {
    this.#ws = ws;
    this.#call = call;
  }

  /** Sends SIGUSR1 and connects to the inspector address that appears in `stderr()`. */
  static async attach(pid: number, stderr: () => string, timeoutMs = 15_000): Promise<LiveHeap> {
    process.kill(pid, 'SIGUSR1');
    const deadline = Date.now() + timeoutMs;
    let url: string | undefined;
    while (!(url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr())?.[1])) {
      if (Date.now() > deadline) throw new Error(`no inspector from ${pid} in ${timeoutMs} ms: ${stderr().slice(-500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
    let next = 1;
    const waiting = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
    ws.addEventListener('message', (e) => {
      const msg = JSON.parse(String(e.data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
      const w = msg.id === undefined ? undefined : waiting.get(msg.id);
      if (!w) return;
      waiting.delete(msg.id!);
      if (msg.error) w.reject(new Error(msg.error.message));
      else w.resolve(msg.result ?? {});
    });
    const call: Call = (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      });
    return new LiveHeap(ws, call);
  }

  /** Bytes in use on the V8 heap after a full garbage collection. */
  async bytes(): Promise<number> {
    await this.#call('HeapProfiler.collectGarbage');
    const usage = await this.#call('Runtime.getHeapUsage');
    const used = usage.usedSize;
    if (typeof used !== 'number') throw new Error(`Runtime.getHeapUsage answered ${JSON.stringify(usage)}`);
    return used;
  }

  close(): void {
    this.#ws.close();
  }
}
