// Estimates the Espruino variable blocks ("JsVars", 13 bytes each on a Pico) that a live object graph
// would take on the device, by walking it on the host and applying the costs measured on Espruino 2v29
// (/work/shared/espruino.md, "Memory"). An estimate, not a measurement: the formula is
//
//   plain object or class instance   1 + Σ properties (1 block each: name and a number/boolean/null value)
//   property name longer than 4 chars   + ceil((len - 4) / 12) extension blocks (Espruino keeps short
//                                      names inside the name variable; see BENCHMARKS.md for the caveat)
//   array                            1 + 1 per element (+ the element's own cost when it is an object)
//   string value                     1 + ceil((len - 4) / 12) when longer than 4 chars
//   Uint8Array(n) with its buffer    ceil(n / 13) + 4   (Uint8Array(1500) = 119, as measured)
//   another view on a counted buffer 1                  (subarray views share memory)
//   function (a closure kept as a listener or callback)  6
//
// Prototype methods are code, counted in the bundle size, not here. Each object is counted once.

export interface WalkOptions {
  /** Objects not to count (and not to walk into), e.g. the simulated frame device. */
  exclude?: unknown[];
}

export function estimateBlocks(root: unknown, seen: Set<unknown> = new Set(), o: WalkOptions = {}): number {
  for (const x of o.exclude || []) seen.add(x);
  const buffers = new Set<ArrayBufferLike>();
  let blocks = 0;
  const nameCost = (name: string): number => 1 + (name.length > 4 ? Math.ceil((name.length - 4) / 12) : 0);
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || v === undefined) continue;
    const t = typeof v;
    if (t === 'string') { const s = v as string; blocks += s.length > 4 ? 1 + Math.ceil((s.length - 4) / 12) : 0; continue; }
    if (t !== 'object' && t !== 'function') continue; // numbers, booleans: inside their property's block
    if (seen.has(v)) continue;
    seen.add(v);
    if (t === 'function') { blocks += 6; continue; }
    if (ArrayBuffer.isView(v)) {
      const view = v as Uint8Array;
      if (buffers.has(view.buffer) || seen.has(view.buffer)) blocks += 1;
      else {
        buffers.add(view.buffer);
        seen.add(view.buffer);
        blocks += Math.ceil(view.buffer.byteLength / 13) + 4;
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
