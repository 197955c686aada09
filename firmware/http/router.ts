// A small router: exact paths ("/api/status") and prefixes ("/bytes/*", the rest goes to req.param).
// Routes are tried in the order they were added; a GET route also answers HEAD (RFC 9110 §9.3.2).
// Generic in the handler type (the server's Handler, firmware/http/server.ts), so that the router needs
// nothing from the server that uses it.

export interface Route<H> {
  method: string;
  path: string;
  prefix: boolean;
  handler: H;
  /** Largest request body accepted (-1: the server default). */
  maxBody: number;
}

export interface RouteMatch<H> {
  route: Route<H>;
  param: string;
}

export class Router<H> {
  readonly routes: Array<Route<H>> = [];

  add(method: string, pattern: string, handler: H, opts?: { maxBody?: number }): this {
    const prefix = pattern.charAt(pattern.length - 1) === '*';
    this.routes.push({
      method: method.toUpperCase(),
      path: prefix ? pattern.substring(0, pattern.length - 1) : pattern,
      prefix,
      handler,
      maxBody: opts && opts.maxBody !== undefined ? opts.maxBody : -1,
    });
    return this;
  }

  get(pattern: string, handler: H, opts?: { maxBody?: number }): this {
    return this.add('GET', pattern, handler, opts);
  }

  post(pattern: string, handler: H, opts?: { maxBody?: number }): this {
    return this.add('POST', pattern, handler, opts);
  }

  match(method: string, path: string): RouteMatch<H> | null {
    const m = method === 'HEAD' ? 'GET' : method;
    for (let i = 0; i < this.routes.length; i++) {
      const r = this.routes[i];
      if (r.method !== m) continue;
      if (r.prefix) {
        if (path.indexOf(r.path) === 0) {
          return { route: r, param: path.substring(r.path.length) };
        }
      } else if (path === r.path) {
        return { route: r, param: '' };
      }
    }
    return null;
  }
}
