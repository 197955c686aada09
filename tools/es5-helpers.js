// Our own versions of the TypeScript ES5 helpers, placed at the top of the device bundle (the build
// compiles with `noEmitHelpers`). TypeScript's own helpers break on Espruino (docs/espruino.md section 3.4):
// its class shape calls `__extends(B, _super)` before `function B` is declared, which without hoisting
// throws "Can't extend undefined" at load, and its `__extends` leaves static members uninherited there;
// its `__spreadArray` calls `Array.prototype.slice`, which Espruino lacks. These are written as `var`
// function expressions, each declared before anything uses it, and use only what Espruino has. Keep
// them ES5 and small: every byte here is RAM on the device.
var __extends = function (d, b) {
  // Copy static members from the base constructor ('prototype' is replaced just below).
  for (var p in b) if (p !== 'prototype') d[p] = b[p];
  d.prototype = Object.create(b === null ? null : b.prototype);
  d.prototype.constructor = d;
};
var __assign = function (t) {
  for (var i = 1; i < arguments.length; i++) {
    var s = arguments[i];
    for (var p in s) t[p] = s[p]; // plain objects only: no enumerable inherited properties here
  }
  return t;
};
var __rest = function (s, e) {
  var t = {};
  for (var p in s) if (e.indexOf(p) < 0) t[p] = s[p];
  return t;
};
// `[...a, ...b]` on arrays (no downlevelIteration): appends by index, no Array.prototype.slice.
var __spreadArray = function (to, from, pack) {
  for (var i = 0, n = from.length; i < n; i++) to.push(from[i]);
  return to;
};
var __makeTemplateObject = function (cooked, raw) {
  cooked.raw = raw;
  return cooked;
};
