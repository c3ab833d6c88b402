/** Socket plumbing for the p2p tests: connected pairs and a tampering proxy, all on 127.0.0.1. */
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Two ends of one TCP connection. */
export async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  const port = await listen(server);
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const client = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const s = await accepted;
  server.close();
  return [client, s];
}

/**
 * A pair whose client-to-server bytes pass through `tamper` (absolute stream offset of the
 * chunk, chunk) → the bytes to forward, or `null` to close the link.
 */
export async function tamperedPair(
  tamper: (offset: number, chunk: Buffer) => Buffer | null,
): Promise<[Socket, Socket]> {
  const [a, proxyIn] = await socketPair();
  const [proxyOut, b] = await socketPair();
  let offset = 0;
  proxyIn.on('data', (chunk: Buffer) => {
    const out = tamper(offset, chunk);
    offset += chunk.length;
    if (out === null) {
      proxyOut.destroy();
      proxyIn.destroy();
    } else proxyOut.write(out);
  });
  proxyOut.on('data', (chunk: Buffer) => proxyIn.write(chunk));
  for (const s of [proxyIn, proxyOut]) {
    s.on('error', () => {});
  }
  proxyIn.on('close', () => proxyOut.destroy());
  proxyOut.on('close', () => proxyIn.destroy());
  return [a, b];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
