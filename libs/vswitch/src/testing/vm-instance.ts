import { announceFrames } from '../drivers/ovs/announce.js';
import type { NetnsLab } from './netns-lab.js';

/*
 * A VM's two instances during a live migration, as the hypervisor runs them, in the netns lab:
 * the target's is paused while memory is copied, the source's pauses for the last copy, and the
 * target's resumes and announces the VM (QEMU sends a RARP; the guest's gratuitous ARP follows).
 *
 * A paused instance holds no address (its kernel neither answers nor sends anything for it) and
 * keeps its link up, as a paused QEMU keeps its tap: frames still reach the device and are lost.
 * The lab's kernel has no tc actions, so the namespace drops nothing itself.
 */

/** Pauses the instance in `netns`: it stops answering and sending. */
export async function pauseInstance(lab: NetnsLab, netns: string): Promise<void> {
  await lab.exec(netns, ['sysctl', '-qw', 'net.ipv6.conf.eth0.disable_ipv6=1']);
  await lab.exec(netns, ['ip', 'addr', 'flush', 'dev', 'eth0']);
}

/**
 * Resumes the instance in `netns` with `cidr` and announces it from its MAC (a RARP, then a
 * gratuitous ARP for its IPv4 address), sent raw on its NIC as QEMU sends them. Returns when the
 * first frame left (epoch ms, the sender's clock).
 */
export async function resumeInstance(
  lab: NetnsLab,
  netns: string,
  { mac, cidr }: { mac: string; cidr: string },
): Promise<number> {
  await lab.exec(netns, ['ip', 'addr', 'add', cidr, 'dev', 'eth0']);
  return announceInstance(lab, netns, { mac, ipv4: cidr.split('/')[0] });
}

/** Sends the announcement from the instance in `netns`; when the first frame left (epoch ms). */
export async function announceInstance(
  lab: NetnsLab,
  netns: string,
  address: { mac: string; ipv4?: string },
): Promise<number> {
  const sent = await lab.exec(netns, ['python3', '-c', SEND_RAW, ...announceFrames(address)]);
  return Number(sent.trim());
}

/** Sends each hex argument as one Ethernet frame on eth0; prints when the first one left (ms). */
const SEND_RAW = [
  'import socket, sys, time',
  's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)',
  "s.bind(('eth0', 0))",
  'at = time.time()',
  'for h in sys.argv[1:]: s.send(bytes.fromhex(h))',
  'print(int(at * 1000))',
].join('\n');
