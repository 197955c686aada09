// Estimates the Espruino variable blocks ("JsVars", 13 bytes each on a Pico) that a live object graph
// would take on the device, by walking it on the host and applying the costs measured on Espruino 2v29
// (docs/espruino.md §4). An estimate, not a measurement: the formula is
//
//   plain object or class instance   1 + Σ properties: 1 block per name (its value inline when small)
//   property name longer than 4 chars   + ceil((len - 4) / 10) extension blocks
//   number not a 13-bit integer       + 1 (a separate value block: floats, sequence numbers, addresses)
//   array                            1 + 1 per element (+ the element's own cost, as for properties)
//   string value                     1, + ceil((len - 8) / 10) beyond 8 characters
// (Espruino's src/jsvar.h on 32-bit boards: a name variable holds 4 characters and, for small integers,
// the value itself — the value lives in the 13-bit child reference field; a string variable holds about
// 8 characters, each string-extension block about 10 more.)
//   Uint8Array(n) with its buffer    ceil(n / 13) + 4   (Uint8Array(1500) = 119, as measured)
//   another view on a counted buffer 1                  (subarray views share memory)
//   function (a closure kept as a listener or callback)  6
//
// Prototype methods are code, counted in the bundle size, not here. Each object is counted once.

export interface WalkOptions {
  /** Objects not to count (and not to walk into), e.g. the simulated frame device. */
  exclude?: unknown[];
  /**
   * The length a property name has on the device (default: its length here). The device bundle's
   * property names are mangled (tools/build/mangle.ts): pass `mangledNameLength(bundle.propertyNames)`
   * to count them as the device holds them.
   */
  nameLength?: (name: string) => number;
}

/** `nameLength` for a bundle's mangle map (original → mangled; names not in it keep their length). */
export function mangledNameLength(map: { [name: string]: string }): (name: string) => number {
  return function (name: string): number {
    return Object.prototype.hasOwnProperty.call(map, name) ? map[name].length : name.length;
  };
}

/** A Uint8Array(n) with its own buffer: ceil(n / 13) + 4 blocks (Uint8Array(1500) = 119, as measured). */
export function byteArrayBlocks(n: number): number {
  return Math.ceil(n / 13) + 4;
}

export function estimateBlocks(root: unknown, seen: Set<unknown> = new Set(), o: WalkOptions = {}): number {
  for (const x of o.exclude || []) seen.add(x);
  const buffers = new Set<ArrayBufferLike>();
  let blocks = 0;
  const len = o.nameLength || ((name: string): number => name.length);
  const nameCost = (name: string): number => { const n = len(name); return 1 + (n > 4 ? Math.ceil((n - 4) / 10) : 0); };
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || v === undefined) continue;
    const t = typeof v;
    if (t === 'string') { const s = v as string; blocks += 1 + (s.length > 8 ? Math.ceil((s.length - 8) / 10) : 0); continue; }
    if (t === 'number') { const n = v as number; if (!(n === Math.floor(n) && n >= -4096 && n <= 4095)) blocks += 1; continue; }
    if (t !== 'object' && t !== 'function') continue; // booleans: inside their name's block
    if (seen.has(v)) continue;
    seen.add(v);
    if (t === 'function') { blocks += 6; continue; }
    if (ArrayBuffer.isView(v)) {
      const view = v as Uint8Array;
      if (buffers.has(view.buffer) || seen.has(view.buffer)) blocks += 1;
      else {
        buffers.add(view.buffer);
        seen.add(view.buffer);
        blocks += byteArrayBlocks(view.buffer.byteLength);
      }
      continue;
    }
    if (Array.isArray(v)) {
      blocks += 1 + v.length;
      for (const e of v) stack.push(e);
      continue;
    }
    blocks += 1;
    for (const k of Object.keys(v as object)) {
      blocks += nameCost(k);
      stack.push((v as Record<string, unknown>)[k]);
    }
  }
  return blocks;
}
