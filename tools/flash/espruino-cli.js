// Runs the `espruino` CLI (EspruinoTools 0.1.67, node_modules/espruino/bin/espruino-cli.js) with two
// corrections tools/flash.ts needs; arguments are passed through unchanged.
//
// 1. ETCPIP_ESPRUINO_VERSION=2v29 in the environment: the version the pretokenise plugin sees. The plugin
//    asks Espruino.Core.Env.getBoardData().VERSION, which is filled only by querying process.env on
//    connect; with `--board FILE.json` (needed offline) the CLI turns that query off and copies the file
//    into getData() instead, so getBoardData() stays {} and PRETOKENISE=1 tokenises no strings or ints
//    whatever the file says. We set VERSION on that (shared, mutable) object after the CLI's init.
// 2. tcp:// ports: core/serial_node_socket.js passes strings to net.Socket#write with no encoding, so
//    Node sends them as UTF-8 and every byte 0x80..0xFF (pretokenised keywords, raw string/int tokens)
//    arrives as two bytes. The USB serial path (serial_node_serial.js) sends one byte per char code;
//    we make sockets do the same (latin1). Nothing else this CLI run sends is above 0xFF: saveOnSend
//    turns larger char codes into UTF-8 bytes first.
'use strict';
const net = require('net');
const path = require('path');

const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (data, encoding, cb) {
  if (typeof data === 'string' && (encoding === undefined || typeof encoding === 'function')) {
    return write.call(this, data, 'latin1', encoding === undefined ? cb : encoding);
  }
  return write.apply(this, arguments);
};

const root = path.dirname(require.resolve('espruino/package.json'));
// The CLI parses process.argv, sets itself up (e.g. its quiet console.log), then calls index.js
// init(main) last. Wrapping init (the same cached module object) runs our step between the two.
const index = require(path.join(root, 'index.js'));
const init = index.init;
index.init = function (main) {
  init(function () {
    const v = process.env.ETCPIP_ESPRUINO_VERSION;
    if (v) global.Espruino.Core.Env.getBoardData().VERSION = v;
    main();
  });
};
process.argv = [process.argv[0], path.join(root, 'bin', 'espruino-cli.js')].concat(process.argv.slice(2));
require(path.join(root, 'bin', 'espruino-cli.js'));
