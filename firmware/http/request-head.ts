// Parsing of an HTTP/1.1 request head (request line + header fields), RFC 9112 §2–§7.
// Input is the decoded head text WITHOUT the final CRLFCRLF. Returns a RequestHead or an HTTP status
// code number (400, 431, 501, 505) saying why it was rejected. Never throws.

export interface RequestHead {
  method: string;
  /** The request-target as sent, e.g. "/bytes/10?x=1". */
  target: string;
  /** target without the query. */
  path: string;
  query: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  /** Header fields by lower-case name; repeated fields joined with ", " (RFC 9110 §5.3). */
  headers: { [name: string]: string };
  /** Body framing: -1 none, else the Content-Length. Ignored when `chunked`. */
  contentLength: number;
  chunked: boolean;
  /** Whether the client wants the connection kept after this exchange (RFC 9112 §9.3). */
  keepAlive: boolean;
  /** "Expect: 100-continue" was sent (RFC 9110 §10.1.1). */
  expectContinue: boolean;
}

export interface HeadLimits {
  /** Most header fields accepted (more → 431). */
  maxHeaders: number;
  /** Longest request-target accepted (longer → 414). */
  maxTargetLength: number;
}

// RFC 9110 §5.6.2: token = 1*tchar. The "." is escaped: Espruino's RegExp reads a bare "." inside a
// class as any character (the gate checks shipped regexes for what that engine runs differently).
const TOKEN = /^[!#$%&'*+\.^_`|~0-9A-Za-z-]+$/;
const DIGITS = /^[0-9]+$/;

export function parseRequestHead(text: string, limits: HeadLimits): RequestHead | number {
  const lines = text.split('\r\n');
  // RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the request-line.
  let first = 0;
  while (first < lines.length && first < 2 && lines[first] === '') first++;
  const requestLine = lines[first];
  if (!requestLine) return 400;
  // RFC 9112 §3: request-line = method SP request-target SP HTTP-version
  const sp1 = requestLine.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 < 0 || requestLine.indexOf(' ', sp2 + 1) >= 0) return 400;
  const method = requestLine.substring(0, sp1);
  const target = requestLine.substring(sp1 + 1, sp2);
  const version = requestLine.substring(sp2 + 1);
  if (!TOKEN.test(method)) return 400;
  if (target.length > limits.maxTargetLength) return 414;
  // Origin-form only (plus "*" for OPTIONS; so not empty), no control characters or spaces.
  if (target !== '*' && target.charAt(0) !== '/') return 400;
  if (target.indexOf('\t') >= 0 || hasBareCrLfNul(target)) return 400;
  const minor = version === 'HTTP/1.1' ? 1 : version === 'HTTP/1.0' ? 0 : -1;
  if (minor < 0) return /^HTTP\/\d\.\d$/.test(version) ? 505 : 400;

  const headers: { [name: string]: string } = {};
  let count = 0;
  let contentLengthText: string | null = null;
  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i];
    // RFC 9112 §5.2: obs-fold is rejected with 400 by a server that does not unfold it.
    const c0 = line.charAt(0);
    if (c0 === ' ' || c0 === '\t') return 400;
    const colon = line.indexOf(':');
    if (colon <= 0) return 400;
    const name = line.substring(0, colon);
    // RFC 9112 §5.1: no whitespace between field name and colon → 400.
    if (!TOKEN.test(name)) return 400;
    const value = line.substring(colon + 1).trim();
    // RFC 9112 §2.2: a bare CR (or LF, or NUL) inside a field is invalid.
    if (hasBareCrLfNul(value)) return 400;
    if (++count > limits.maxHeaders) return 431;
    const key = name.toLowerCase();
    if (key === 'content-length') {
      // RFC 9110 §8.6: a list of identical values may be accepted; anything else is invalid.
      const parts = value.split(',');
      for (let p = 0; p < parts.length; p++) {
        const v = parts[p].trim();
        if (v.length > 15 || !DIGITS.test(v)) return 400;
        if (contentLengthText !== null && contentLengthText !== v) return 400;
        contentLengthText = v;
      }
    }
    if (headers[key] !== undefined) headers[key] += ', ' + value;
    else headers[key] = value;
  }
  // RFC 9112 §3.2: a client MUST send Host in HTTP/1.1; a server MUST answer 400 when it is missing.
  if (minor === 1 && headers['host'] === undefined) return 400;

  let chunked = false;
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    // RFC 9112 §6.1: only "chunked" is understood here; 501 for other codings. HTTP/1.0 has no TE.
    if (minor === 0) return 400;
    if (te.toLowerCase() !== 'chunked') return 501;
    chunked = true;
  }
  // RFC 9112 §6.1: Transfer-Encoding with Content-Length is a possible smuggling attempt; reject.
  if (chunked && contentLengthText !== null) return 400;
  const contentLength = contentLengthText === null ? -1 : Number(contentLengthText);

  const conn = (headers['connection'] || '').toLowerCase();
  // RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
  const keepAlive = minor === 1 ? !hasToken(conn, 'close') : hasToken(conn, 'keep-alive');
  const expect = headers['expect'];
  const expectContinue = expect !== undefined && expect.toLowerCase() === '100-continue';

  const q = target.indexOf('?');
  return {
    method, target,
    path: q < 0 ? target : target.substring(0, q),
    query: q < 0 ? '' : target.substring(q + 1),
    minor, headers, contentLength, chunked, keepAlive, expectContinue,
  };
}

function hasToken(list: string, token: string): boolean {
  const parts = list.split(',');
  for (let i = 0; i < parts.length; i++) if (parts[i].trim() === token) return true;
  return false;
}

function hasBareCrLfNul(s: string): boolean {
  return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\u0000') >= 0;
}
