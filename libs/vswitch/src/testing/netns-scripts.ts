/** Python run inside the lab's VM namespaces (netns-lab.ts); the standard library only. */

/** A TCP echo server, one thread per connection. */
export const TCP_ECHO_SERVER = `
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', int(sys.argv[1]))); s.listen(16)
def echo(c):
    while True:
        d = c.recv(64)
        if not d: break
        c.sendall(d)
while True:
    c, _ = s.accept(); threading.Thread(target=echo, args=(c,), daemon=True).start()
`;

/** Connects once, then echoes each line of stdin over the same connection: "ok" or "fail". */
export const TCP_ECHO_CLIENT = `
import socket, sys
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
except Exception:
    print('fail', flush=True); sys.exit(1)
for line in sys.stdin:
    try:
        s.sendall(line.encode()); print('ok' if s.recv(64) == line.encode() else 'fail', flush=True)
    except Exception:
        print('fail', flush=True)
`;

/** ETHTOOL_STXCSUM off on a device (argument; default eth0) through SIOCETHTOOL (no ethtool). */
export const NO_TX_CHECKSUM = `
import ctypes, fcntl, socket, struct, sys
device = (sys.argv[1] if len(sys.argv) > 1 else 'eth0').encode()
value = ctypes.create_string_buffer(struct.pack('II', 0x17, 0))
fcntl.ioctl(socket.socket(), 0x8946, struct.pack('16sP', device, ctypes.addressof(value)))
`;
