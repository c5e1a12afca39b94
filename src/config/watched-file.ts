// A file whose parsed value is kept current: polled by bytes and watched by directory (Kubernetes swaps
// mounted ConfigMaps through a symlink). An unreadable or invalid version keeps the last good value.

import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WatchedFileEvents<T> {
  loaded: (value: T) => void;
  failed: (reason: string) => void;
}

export class WatchedFile<T> {
  readonly path: string;
  readonly #parse: (text: string) => T;
  readonly #events: WatchedFileEvents<T>;
  readonly #pollMs: number;
  #value: T | undefined;
  #lastText: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #watcher: FSWatcher | undefined;
  #loading: Promise<boolean> | undefined;

  constructor(path: string, parse: (text: string) => T, events: WatchedFileEvents<T>, pollMs = 10_000) {
    this.path = path;
    this.#parse = parse;
    this.#events = events;
    this.#pollMs = pollMs;
  }

  get value(): T | undefined {
    return this.#value;
  }

  reload(): Promise<boolean> {
    this.#loading ??= this.#reload().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  async #reload(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      this.#events.failed(`cannot read ${this.path}: ${(err as Error).message}`);
      return false;
    }
    if (text === this.#lastText) return false;
    this.#lastText = text;
    try {
      this.#value = this.#parse(text);
    } catch (err) {
      this.#events.failed(`${this.path}: ${(err as Error).message}`);
      return false;
    }
    this.#events.loaded(this.#value);
    return true;
  }

  start(): void {
    this.#timer = setInterval(() => void this.reload(), this.#pollMs);
    this.#timer.unref();
    try {
      let pending: NodeJS.Timeout | undefined;
      this.#watcher = watch(dirname(this.path), () => {
        clearTimeout(pending);
        pending = setTimeout(() => void this.reload(), 100);
        pending.unref();
      });
      this.#watcher.on('error', () => this.#watcher?.close());
      this.#watcher.unref();
    } catch {
      // Polling alone still picks up changes.
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#watcher?.close();
  }
}
