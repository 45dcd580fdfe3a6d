import {
  AbstractMessageReader,
  BrowserMessageWriter,
  Emitter,
  createProtocolConnection,
  type DataCallback,
  type Disposable,
  type Message,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/browser';

interface NewWorkerRequest {
  type: 'browser/newWorker';
  initialData: unknown;
  port: MessagePort;
}

function isNewWorkerRequest(data: unknown): data is NewWorkerRequest {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'browser/newWorker';
}

/**
 * JSON-RPC from the foreground worker, minus its requests for a background worker, which share
 * the same channel and are not JSON-RPC.
 */
class PyrightMessageReader extends AbstractMessageReader {
  private readonly messages = new Emitter<Message>();

  constructor(worker: Worker, onNewWorker: (request: NewWorkerRequest) => void) {
    super();
    worker.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (isNewWorkerRequest(event.data)) onNewWorker(event.data);
      else this.messages.fire(event.data as Message);
    });
    worker.addEventListener('error', (event) => this.fireError(new Error(event.message || 'the Python language server failed to start')));
  }

  listen(callback: DataCallback): Disposable {
    return this.messages.event(callback);
  }
}

export interface PyrightWorkers {
  connection: ProtocolConnection;
  /** Ends the connection and terminates every worker. */
  dispose(): void;
}

/**
 * Starts basedpyright's browser build: a foreground worker that speaks LSP over postMessage once
 * it is sent `browser/boot`, and that asks the page (nested workers being unreliable) for the
 * background analysis workers it wants, each booted from the same script with the port it sent.
 */
export function startPyrightWorkers(scriptUrl: string): PyrightWorkers {
  const workers: Worker[] = [];
  const foreground = new Worker(scriptUrl, { name: 'pyright-foreground' });
  workers.push(foreground);
  const reader = new PyrightMessageReader(foreground, ({ initialData, port }) => {
    const background = new Worker(scriptUrl, { name: `pyright-background-${workers.length}` });
    workers.push(background);
    background.postMessage({ type: 'browser/boot', mode: 'background', initialData, port }, [port]);
  });
  foreground.postMessage({ type: 'browser/boot', mode: 'foreground' });
  const connection = createProtocolConnection(reader, new BrowserMessageWriter(foreground));
  let disposed = false;
  return {
    connection,
    dispose() {
      if (disposed) return;
      disposed = true;
      connection.dispose();
      for (const worker of workers) worker.terminate();
    },
  };
}
