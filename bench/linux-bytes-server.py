# The Linux side of the kernel comparison (bench/linux-compare.ts): an HTTP server in a network
# namespace serving GET /bytes/N like the device's HTTP app (firmware/apps/http-app.ts), same pattern.
#   python3 linux-bytes-server.py PORT      prints LISTENING once it accepts connections
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PATTERN = b'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n'
BLOCK = PATTERN * 1024  # 64 KB

class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.split('/')
        if len(parts) != 3 or parts[1] != 'bytes' or not parts[2].isdigit() or int(parts[2]) > 100000000:
            self.send_error(404)
            return
        n = int(parts[2])
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(n))
        self.send_header('Connection', 'close')
        self.end_headers()
        left = n
        while left > 0:
            k = min(left, len(BLOCK))
            self.wfile.write(BLOCK[:k])
            left -= k
        self.close_connection = True

srv = ThreadingHTTPServer(('0.0.0.0', int(sys.argv[1])), Handler)
print('LISTENING', flush=True)
srv.serve_forever()
