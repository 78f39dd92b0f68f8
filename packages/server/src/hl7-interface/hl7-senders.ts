import net from 'node:net';

/**
 * The addresses HL7 messages are taken from (`hl7.allowedSenders`: IPv4 or IPv6 addresses and CIDR
 * ranges). MLLP carries no credentials (HL7 v2 has none), and an order can name the referring provider
 * who may then see the study: where the network does not already fence the port off, this does. Empty or
 * left out: every sender, as before.
 */
export function hl7SenderCheck(
  allowed: readonly string[] | undefined,
): ((address: string | undefined) => boolean) | undefined {
  if (allowed === undefined || allowed.length === 0) return undefined;
  const list = new net.BlockList();
  for (const entry of allowed) {
    const [address, prefix] = entry.split('/');
    const type = net.isIPv6(address!) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, Number(prefix), type);
  }
  return (remote) => {
    if (remote === undefined) return false;
    // A dual-stack listener reports IPv4 peers as IPv4-mapped IPv6 addresses.
    const address = remote.startsWith('::ffff:') && net.isIPv4(remote.slice(7)) ? remote.slice(7) : remote;
    return list.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
  };
}

/** Whether a configured entry is an address or a CIDR range {@link hl7SenderCheck} understands. */
export function isSenderEntry(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || address === undefined || net.isIP(address) === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (net.isIPv6(address) ? 128 : 32);
}
