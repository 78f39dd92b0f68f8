import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { DicomNode } from '../dicom-nodes/dicom-node.js';

/** An address as compared: an IPv4 peer of a dual-stack listener without its IPv4-mapped IPv6 form. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/**
 * Whether an association comes from the host of one of the nodes registered under its calling AE title:
 * the node's address itself, or one its name resolves to. A name that does not resolve matches nothing.
 */
export async function fromNodeHost(nodes: readonly DicomNode[], peer: string | undefined): Promise<boolean> {
  if (peer === undefined) return false;
  const address = plain(peer);
  for (const node of nodes) {
    if (net.isIP(node.host) !== 0) {
      if (plain(node.host) === address) return true;
      continue;
    }
    try {
      const resolved = await lookup(node.host, { all: true });
      if (resolved.some((entry) => plain(entry.address) === address)) return true;
    } catch {
      // an unknown name: this node cannot be where the association comes from
    }
  }
  return false;
}
