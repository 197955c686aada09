// Makes Duktape (`duk`, a second, independent ES5 engine) look like Espruino to a device bundle:
// Espruino's own globals are shimmed, and what Espruino lacks is removed (docs/espruino.md section 3),
// so a bundle that leans on Map, Math.imul or TypedArray#slice-returns-a-typed-array fails here too.
// Plain ES5, run before the bundle in the same file. Timers run on a virtual clock, drained by
// __duk_drain() (appended after the bundle by tools/gate/duk.ts), bounded in count.
var __duk_global = this;
(function (g) {
  // --- Remove what Espruino does not have. ---
  var gone = ['Map', 'Set', 'WeakMap', 'WeakSet', 'Symbol', 'Proxy', 'Reflect', 'RangeError'];
  for (var i = 0; i < gone.length; i++) {
    try { delete g[gone[i]]; } catch (e) { g[gone[i]] = undefined; }
  }
  delete Array.from; delete Array.of; delete Math.imul; delete Math.trunc;
  delete Number.isInteger; delete Object.freeze; delete Object.is;
  delete Array.prototype.lastIndexOf; delete Array.prototype.copyWithin;
  if (typeof ArrayBuffer !== 'undefined') delete ArrayBuffer.prototype.slice;
  var typed = ['Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'Uint8ClampedArray'];
  for (var t = 0; t < typed.length; t++) {
    var T = g[typed[t]];
    if (!T) continue;
    var P = T.prototype;
    try { delete P.copyWithin; delete P.lastIndexOf; } catch (e) {}
    // Espruino HAS typed-array fill (docs/espruino.md section 3.1); Duktape lacks it, so add it here.
    if (!P.fill) {
      P.fill = function (v, a, b) {
        var n = this.length;
        var s = a === undefined ? 0 : a < 0 ? Math.max(n + a, 0) : Math.min(a, n);
        var e = b === undefined ? n : b < 0 ? Math.max(n + b, 0) : Math.min(b, n);
        for (var k = s; k < e; k++) this[k] = v;
        return this;
      };
    }
    // Espruino: typed-array slice() returns a plain Array.
    P.slice = function (a, b) {
      var n = this.length;
      var s = a === undefined ? 0 : a < 0 ? Math.max(n + a, 0) : Math.min(a, n);
      var e = b === undefined ? n : b < 0 ? Math.max(n + b, 0) : Math.min(b, n);
      var out = [];
      for (var k = s; k < e; k++) out.push(this[k]);
      return out;
    };
  }
  if (typeof Promise !== 'undefined' && Promise.prototype) {
    delete Promise.prototype['finally']; delete Promise.race; delete Promise.allSettled; delete Promise.any;
  }

  // --- Espruino's globals. ---
  var nowMs = 0;
  g.getTime = function () { return nowMs / 1000; };
  g.E = {
    sum: function (a) { var s = 0; for (var k = 0; k < a.length; k++) s += a[k]; return s; },
    toString: function (u8) { var s = ''; for (var k = 0; k < u8.length; k++) s += String.fromCharCode(u8[k] & 255); return s; },
    toUint8Array: function (s) { var u = new Uint8Array(s.length); for (var k = 0; k < s.length; k++) u[k] = s.charCodeAt(k) & 255; return u; },
    hwRand: function () { return (Math.random() * 4294967296) >>> 0; },
    getSizeOf: function () { return 1; }
  };
  var timers = [];
  var nextId = 1;
  function addTimer(fn, ms, repeat) {
    var id = nextId++;
    timers.push({ id: id, fn: fn, at: nowMs + (ms || 0), every: repeat ? Math.max(ms || 0, 1) : 0 });
    return id;
  }
  function clearTimer(id) {
    // Espruino: clearTimeout(undefined) throws; clearTimeout() clears every timer.
    if (arguments.length === 0) { timers = []; return; }
    if (id === undefined) throw new Error('clearTimeout(undefined)');
    for (var k = 0; k < timers.length; k++) if (timers[k].id === id) { timers.splice(k, 1); return; }
  }
  g.setTimeout = function (fn, ms) { return addTimer(fn, ms, false); };
  g.setInterval = function (fn, ms) { return addTimer(fn, ms, true); };
  g.clearTimeout = clearTimer;
  g.clearInterval = clearTimer;
  g.__duk_drain = function (maxCallbacks, maxMs) {
    var ran = 0;
    while (timers.length && ran < maxCallbacks) {
      var first = 0;
      for (var k = 1; k < timers.length; k++) if (timers[k].at < timers[first].at) first = k;
      var tm = timers[first];
      if (tm.at > maxMs) break;
      nowMs = Math.max(nowMs, tm.at);
      if (tm.every) tm.at += tm.every; else timers.splice(first, 1);
      ran++;
      tm.fn();
    }
    return ran;
  };
  function makeSpi(name) {
    return {
      name: name,
      setup: function () {},
      // Stub chip: clocks in zeros. Returns a Uint8Array for an array/Uint8Array, like Espruino.
      send: function (data) {
        if (typeof data === 'number') return 0;
        if (typeof data === 'string') return new Array(data.length + 1).join('\0');
        var n = data && data.count !== undefined ? data.count : data.length;
        return new Uint8Array(n);
      },
      write: function () {}
    };
  }
  g.SPI1 = makeSpi('SPI1'); g.SPI2 = makeSpi('SPI2'); g.SPI3 = makeSpi('SPI3');
  g.SPI = function () { return makeSpi('SPI'); };
  var pins = {};
  g.Pin = function (name) { return String(name); };
  g.digitalWrite = function (pin, v) { pins[String(pin)] = v ? 1 : 0; };
  g.digitalRead = function (pin) { var v = pins[String(pin)]; return v === undefined ? 1 : v; };
  g.pinMode = function () {};
  g.setWatch = function () { return nextId++; };
  g.clearWatch = function () {};
  g.process = { memory: function () { return { free: 4000, usage: 1100, total: 5100, blocksize: 13 }; } };
  g.load = function () {};
  // Built-in modules a firmware bundle may ask for; anything else is "not found", as on a board.
  var modules = {
    NetworkJS: { create: function (driver) { g.__duk_network = driver; return {}; } },
    Storage: { read: function () { return undefined; }, write: function () { return true; }, list: function () { return []; }, erase: function () {} }
  };
  g.require = function (name) {
    if (modules.hasOwnProperty(name)) return modules[name];
    throw new Error('Module ' + name + ' not found');
  };
  g.getSerial = function () { return '33FFD605-41573033-15720843'; };
  var pinNames = ['A', 'B', 'C', 'D'];
  for (var p = 0; p < pinNames.length; p++) {
    for (var q = 0; q < 16; q++) g[pinNames[p] + q] = pinNames[p] + q;
  }
  g.LED1 = 'LED1'; g.LED2 = 'LED2'; g.BTN = 'BTN';
})(__duk_global);
