import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SCAPY_PYTHON, type NetnsLab } from './netns-lab.js';
import type { TopologyBuilder } from './topology-builder.js';

/** The flood tests' one opening: UDP to `port` allowed into the members of `groupId`. */
export const allowUdpIn = (t: TopologyBuilder, groupId: string, port: number): TopologyBuilder =>
  t.acl(
    'udp-in',
    { groupId },
    {
      direction: 'egress',
      action: 'allow',
      priority: 50,
      match: { protocol: 'udp', portFrom: port },
    },
  );

/**
 * `capture`: prints the probe (from `probe-` on) of every frame eth0 receives. `send`: one
 * scapy expression per line, written to eth0 as it is. Packet sockets, so the kernel neither
 * answers nor rebuilds.
 */
const FRAMES = `
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(('eth0', 0))
if sys.argv[1] == 'capture':
    print('ready', flush=True)
    while True:
        data, addr = s.recvfrom(65535)
        if addr[2] != socket.PACKET_OUTGOING and b'probe-' in data:
            probe = data[data.index(b'probe-'):].rstrip(b'\\0')
            print(probe.decode(errors='replace'), flush=True)
from scapy.all import Ether, IP, IPv6, UDP, Raw
print('ready', flush=True)
for line in sys.stdin:
    s.send(bytes(eval(line)))
    print('sent', flush=True)
`;

export interface FramePeer {
  child: ChildProcess;
  /** Every line the child printed so far. */
  seen: string[];
  /** Whether `line` was printed within `ms`. */
  waitFor(line: string, ms: number): Promise<boolean>;
}

/** A scapy child in `netns` that sends or captures probe frames, ready once it returns. */
export async function framePeer(
  lab: NetnsLab,
  netns: string,
  mode: 'send' | 'capture',
): Promise<FramePeer> {
  const child = lab.python(netns, FRAMES, [mode], SCAPY_PYTHON);
  const lines = createInterface({ input: child.stdout! });
  const seen: string[] = [];
  lines.on('line', (line) => seen.push(line));
  const waitFor = async (line: string, ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end;) {
      if (seen.includes(line)) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  };
  if (!(await waitFor('ready', 20_000))) {
    child.kill();
    throw new Error(`the ${mode} peer in ${netns} did not start`);
  }
  return { child, seen, waitFor };
}
