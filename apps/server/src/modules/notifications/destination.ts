import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may not reach unless the operator allows it (FORECOURT_WEBHOOK_PRIVATE_NETWORKS=allow):
 * loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast and the
 * unspecified address. A tenant admin configures webhooks; without this, one could make the server call
 * services inside the operator's network (server-side request forgery).
 */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/** Whether `address` (an IPv4 or IPv6 literal) is one of the blocked ranges; IPv4-mapped IPv6 counts as its IPv4. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return false;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Why a webhook URL may not be called, or null when it may: every address its host resolves to must be public.
 * (The request resolves the name again; a name that changes its answer in between is not covered.)
 */
export async function blockedDestination(url: string): Promise<string | null> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'lookup failed';
    return `${host} could not be resolved (${code})`;
  }
  const inside = addresses.find(isPrivateAddress);
  return inside
    ? `not sent: ${host} is a private or local address (${inside}); the operator may allow it with FORECOURT_WEBHOOK_PRIVATE_NETWORKS=allow`
    : null;
}
