/** Port layout (CometBFT's 26656/26657/26658/26660 pattern, shifted by 100 per node) and checks. */
import { createServer } from 'node:net';
import { PORT_STRIDE } from './flags.js';

export const LOOPBACK = '127.0.0.1';

export interface NodePorts {
  p2p: number;
  rpc: number;
  /** Reserved for `--with-comet=false`; the embedded node does not listen on it. */
  abci: number;
  prometheus: number;
}

export function nodePorts(basePort: number, index: number): NodePorts {
  const p = basePort + PORT_STRIDE * index;
  return { p2p: p, rpc: p + 1, abci: p + 2, prometheus: p + 4 };
}

/** True when nothing listens on host:port (we can bind it ourselves for a moment). */
export function isPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** The ports among `ports` that are taken, in the order given. */
export async function takenPorts(ports: readonly number[], host = LOOPBACK): Promise<number[]> {
  const free = await Promise.all(ports.map((p) => isPortFree(p, host)));
  return ports.filter((_, i) => !free[i]);
}
