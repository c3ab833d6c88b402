/**
 * ABCI listen/dial addresses in CometBFT's `proxy_app` form: `tcp://host:port`,
 * `unix:///path/to.sock`, or a bare `host:port` (tcp, as CometBFT's ProtocolAndAddress assumes).
 */
export type AbciAddress =
  | { protocol: 'tcp'; host: string; port: number }
  | { protocol: 'unix'; path: string };

export function parseAbciAddress(address: string): AbciAddress {
  if (typeof address !== 'string' || address.length === 0) {
    throw new TypeError('ABCI address must be a non-empty string like tcp://127.0.0.1:26658');
  }
  if (address.startsWith('unix://')) {
    const path = address.slice('unix://'.length);
    if (path.length === 0) throw new TypeError(`ABCI address ${address} has no socket path`);
    return { protocol: 'unix', path };
  }
  let rest = address;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(address);
  if (scheme) {
    if (scheme[1]?.toLowerCase() !== 'tcp') {
      throw new TypeError(
        `ABCI address ${address}: unsupported protocol ${scheme[1]} (use tcp:// or unix://)`,
      );
    }
    rest = address.slice(scheme[0].length);
  }
  // [v6addr]:port or host:port
  const m = /^(?:\[([^\]]+)\]|([^:/]*)):(\d{1,5})$/.exec(rest);
  if (!m) throw new TypeError(`ABCI address ${address} is not host:port`);
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) throw new TypeError(`ABCI address ${address}: port ${port} is out of range`);
  return { protocol: 'tcp', host: host === '' ? '0.0.0.0' : host, port };
}

export function formatAbciAddress(addr: AbciAddress): string {
  if (addr.protocol === 'unix') return `unix://${addr.path}`;
  const host = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  return `tcp://${host}:${addr.port}`;
}
