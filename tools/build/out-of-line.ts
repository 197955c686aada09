// Functions on the per-segment path that stay functions of their own in the device bundle.
//
// terser puts a function that is called from one place into that place (compress `reduce_funcs`), as a
// function expression called at once: `…, i = function (t, e) { …body… }(a, b)`. For Espruino that is
// not free: it runs JavaScript from the source text, and each time the caller runs it makes that
// function anew, scanning its whole body to find where it ends. For a header parser or the ACK check,
// called for every segment, that scan costs more than the call it saves: measured with
// bench/espruino-path.ts, the linux preset's download took 111 fewer empty-loop iterations a segment
// with no function in line at all. Turning `reduce_funcs` off for the whole bundle costs a Pico 323
// blocks of RAM (each function is a variable of the bundle's scope; the build's estimate) and 357 bytes
// of Storage, so only the functions named here are kept out of line: each call to one gets terser's
// `#__NOINLINE__` annotation, which stops it being put in line (terser: a call so annotated is not
// single-use). These twelve: 95 iterations a segment fewer, 89 blocks and 86 bytes more on a Pico; the
// five largest alone (parseIpv4Header, parseTcp, emitTcp, checkSequence, checkAck) 55 fewer, 48 more.
import * as acorn from 'acorn';
import { applyEdits, Edit, Node, walk } from './ast';

/** Called for each segment sent or ACK taken (tcp/wire, tcp/tcp, tcp/iface), not once per connection. */
export const OUT_OF_LINE = [
  'parseEthernet', 'parseIpv4Header', 'parseTcp', 'emitTcp', 'checkSequence', 'checkAck', 'onNewAck', 'sackOnAck',
  'fillSackBlocks', 'armLossProbe', 'rttSample', 'toBytes',
  // The rare parts of per-segment functions, taken out so that those functions are shorter to scan.
  'anySum', 'emitTcpOptions', 'synOutput', 'repairOutput', 'dataOutput', 'owedAcks', 'rtxExpired', 'keepAlive', 'takeText',
  'parseTcpOptions',
  // segmentArrives' rarer steps: put in line they sat in the branch its pure-ACK path skips, scanned each ACK.
  'synSentArrives', 'checkRst', 'synReceivedAck', 'ourFinAcked', 'onDupAck',
  // Put in line it is made anew at every ACK in congestion avoidance, and scanned at every other.
  'avoidanceStep',
];

/**
 * `code` (ES5, registry or hoisted shape) with `/*#__NOINLINE__*\/` before every call of a function
 * named in `names`: `f(…)`, `f$3(…)` (hoisted names) or `(0, m_1.f)(…)` (tsc's cross-module call).
 */
export function keepOutOfLine(code: string, names: string[] = OUT_OF_LINE): { code: string; calls: number } {
  const ast: Node = acorn.parse(code, { ecmaVersion: 5 });
  const edits: Edit[] = [];
  walk(ast, function (n: Node) {
    if (n.type !== 'CallExpression') return;
    let c = n.callee;
    if (c.type === 'SequenceExpression') c = c.expressions[c.expressions.length - 1];
    const name = c.type === 'Identifier' ? c.name.replace(/\$\d+$/, '')
      : c.type === 'MemberExpression' && !c.computed ? c.property.name : '';
    if (names.indexOf(name) >= 0) edits.push({ start: n.start, end: n.start, text: '/*#__NOINLINE__*/' });
  });
  return { code: applyEdits(code, edits), calls: edits.length };
}
