// Which addresses jobs may reach. http.request and image.resize fetch URLs that clients
// choose, so by default they may connect only to public unicast addresses: never to
// loopback, private, link-local (cloud metadata lives there), unique-local, carrier-grade
// NAT or reserved ones, which would turn the service against its own network.
// HTTP_ALLOW_HOSTS opens chosen host names or CIDRs for deployments that need them.
import ipaddr from 'ipaddr.js';

/** Host names of cloud metadata services, refused by name before any lookup. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

export interface AllowRules {
  hosts: string[];
  cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

function normaliseHost(host: string): string {
  return host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** Parses HTTP_ALLOW_HOSTS: comma-separated host names, addresses or CIDRs. */
export function parseAllowList(value: string): { rules: AllowRules; problems: string[] } {
  const rules: AllowRules = { hosts: [], cidrs: [] };
  const problems: string[] = [];
  for (const entry of value.split(',').map((item) => item.trim()).filter(Boolean)) {
    if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      rules.cidrs.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (entry.includes('/')) {
      try {
        rules.cidrs.push(ipaddr.parseCIDR(entry));
      } catch {
        problems.push(`"${entry.slice(0, 100)}" is neither a host name nor a CIDR`);
      }
    } else if (/^[a-z0-9]([a-z0-9-]{0,62}\.?)*$/i.test(entry) && entry.length <= 253) {
      rules.hosts.push(normaliseHost(entry));
    } else {
      problems.push(`"${entry.slice(0, 100)}" is neither a host name nor a CIDR`);
    }
  }
  return { rules, problems };
}

/** Why connecting to this address was refused. */
export class DeniedAddressError extends Error {
  readonly code = 'EJOBGRAPH_DENIED';
  constructor(message: string) {
    super(`${message}; HTTP_ALLOW_HOSTS can allow it`);
    this.name = 'DeniedAddressError';
  }
}

export class AddressPolicy {
  constructor(private readonly rules: AllowRules) {}

  /** Refuses a host by name (metadata services), before any lookup. */
  checkHost(host: string): void {
    const name = normaliseHost(host);
    if (this.rules.hosts.includes(name)) return;
    if (METADATA_HOSTS.has(name)) throw new DeniedAddressError(`${name} is a cloud metadata service`);
    if (name === 'localhost' || name.endsWith('.localhost')) throw new DeniedAddressError(`${name} is this machine`);
    if (ipaddr.isValid(name)) this.checkAddress(name, name);
  }

  /** Refuses an address the host resolved to (or that the URL named) unless it is public or allowed. */
  checkAddress(host: string, address: string): void {
    if (this.rules.hosts.includes(normaliseHost(host))) return;
    let parsed = ipaddr.parse(address);
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    if (this.rules.cidrs.some(([network, bits]) => network.kind() === parsed.kind() && parsed.match(network, bits))) return;
    const range = parsed.range();
    if (range !== 'unicast') throw new DeniedAddressError(`${address} is a ${range} address`);
    // ipaddr.js calls every IPv6 address it has no name for unicast (IPv4-compatible
    // ::7f00:1 among them); only global unicast, 2000::/3, is public.
    if (parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6)) throw new DeniedAddressError(`${address} is not a global unicast address`);
  }
}
