// A program in a real terminal: tmux on a server of its own (its own socket), a window of a fixed size,
// keys sent as a person types them, and the screen captured as text.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class TmuxWindow implements AsyncDisposable {
  readonly #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /** Runs `command` in a `columns`×`rows` window, with `env`; the window stays after the program exits. */
  static async start(
    socket: string,
    command: readonly string[],
    env: NodeJS.ProcessEnv,
    columns = 110,
    rows = 32,
  ): Promise<TmuxWindow> {
    const window = new TmuxWindow(socket);
    await run(
      'tmux',
      [
        '-L',
        socket,
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-s',
        'main',
        '-x',
        String(columns),
        '-y',
        String(rows),
        'sleep 1000000',
      ],
      { env },
    );
    await window.#tmux('set-option', '-g', 'remain-on-exit', 'on');
    await window.#tmux('respawn-pane', '-k', '-t', 'main', ...command);
    return window;
  }

  /** What the screen shows now, one line a row, trailing blanks cut. */
  async screen(): Promise<string> {
    return (await this.#tmux('capture-pane', '-p', '-t', 'main')).trimEnd();
  }

  /** Keys as tmux names them (`a`, `Enter`, `C-c`), one after another. */
  async keys(...keys: string[]): Promise<void> {
    for (const key of keys) await this.#tmux('send-keys', '-t', 'main', key);
  }

  async #tmux(...args: string[]): Promise<string> {
    return (await run('tmux', ['-L', this.#socket, ...args])).stdout;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#tmux('kill-server').catch(() => undefined);
  }
}
