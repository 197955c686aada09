// A minimal event emitter that behaves the same under Node, Duktape and Espruino (no Map, no Symbol).
// Memory (every connection is an emitter): the table of listeners is made on the first on(), and an
// event with one listener holds that function itself, not an array of one.
//
// Listeners are called as plain functions, not with the emitter as `this` (use the closure: every
// listener here has the socket or server in scope). Espruino 2v29 leaks a lock on an object when calls
// with it as an explicit `this` (`fn.call(obj, …)` or `fn.apply(obj, …)`) re-enter a method of it
// three levels deep. Measured in espruino-linux: `c.e = function (k) { h.call(this, k); }`, with
// `h(k)` calling `c.e(k + 1)` while k < 3, leaves c with 15 locks after four calls, and an object with
// locks is never freed. A socket's events nest that way (data → write → drain → resume → data), so
// every closed echo connection that had paused stayed in memory. Plain calls nest without leaking.
// test/tcp/emitter-calls.test.ts pins this down.
export type Listener = (...args: any[]) => void;

export class Emitter {
  /** Event name → its listener, or an array of them when there are several. Absent until the first on(). */
  private evs?: { [event: string]: Listener | Listener[] };

  on(event: string, fn: Listener): this {
    const t = this.evs || (this.evs = {});
    const cur = t[event];
    if (!cur) t[event] = fn;
    else if (typeof cur === 'function') t[event] = [cur, fn];
    else cur.push(fn);
    return this;
  }

  once(event: string, fn: Listener): this {
    const self = this;
    const wrapper = function (a?: unknown, b?: unknown): void {
      self.off(event, wrapper);
      fn(a, b);
    };
    return this.on(event, wrapper);
  }

  off(event: string, fn: Listener): this {
    const t = this.evs;
    const cur = t && t[event];
    if (!t || !cur) return this;
    if (cur === fn) delete t[event];
    else if (typeof cur !== 'function') {
      const i = cur.indexOf(fn);
      if (i >= 0) cur.splice(i, 1);
      if (cur.length === 1) t[event] = cur[0];
    }
    return this;
  }

  removeAllListeners(event?: string): this {
    if (!this.evs) return this;
    if (event === undefined) delete this.evs;
    else delete this.evs[event];
    return this;
  }

  listenerCount(event: string): number {
    const cur = this.evs && this.evs[event];
    return !cur ? 0 : typeof cur === 'function' ? 1 : cur.length;
  }

  /**
   * Calls each listener; returns whether there was any. A listener that throws does not stop the
   * others, nor the code that emitted: the exception goes to listenerThrew().
   */
  emit(event: string, a?: unknown, b?: unknown): boolean {
    const cur = this.evs && this.evs[event];
    if (!cur) return false;
    if (typeof cur === 'function') {
      try {
        cur(a, b); // a plain call: see the top of this file
      } catch (e) {
        this.listenerThrew(event, e);
      }
      return true;
    }
    const copy = cur.slice();
    for (let i = 0; i < copy.length; i++) {
      const f = copy[i];
      try {
        f(a, b);
      } catch (e) {
        this.listenerThrew(event, e);
      }
    }
    return true;
  }

  /**
   * An exception from a listener of `event`. Emitters the stack owns (sockets, listeners, the interface)
   * count and report it and go on, so application code can neither re-enter nor cut short the stack's
   * own work; this default passes it on to whoever called emit().
   */
  protected listenerThrew(_event: string, e: unknown): void {
    throw e;
  }
}
