// A minimal event emitter that behaves the same under Node, Duktape and Espruino (no Map, no Symbol).
export type Listener = (...args: any[]) => void;

export class Emitter {
  private listeners: { [event: string]: Listener[] } = {};

  on(event: string, fn: Listener): this {
    const list = this.listeners[event] || (this.listeners[event] = []);
    list.push(fn);
    return this;
  }

  once(event: string, fn: Listener): this {
    const self = this;
    const wrapper = function (this: unknown): void {
      self.off(event, wrapper);
      fn.apply(self, arguments as unknown as any[]);
    };
    return this.on(event, wrapper);
  }

  off(event: string, fn: Listener): this {
    const list = this.listeners[event];
    if (list) {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }

  removeAllListeners(event?: string): this {
    if (event === undefined) this.listeners = {};
    else delete this.listeners[event];
    return this;
  }

  listenerCount(event: string): number {
    const list = this.listeners[event];
    return list ? list.length : 0;
  }

  /** Calls each listener; returns whether there was any. */
  emit(event: string, a?: unknown, b?: unknown): boolean {
    const list = this.listeners[event];
    if (!list || list.length === 0) return false;
    const copy = list.slice();
    for (let i = 0; i < copy.length; i++) copy[i].call(this, a, b);
    return true;
  }
}
