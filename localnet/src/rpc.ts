/** The two CometBFT RPC calls the localnet needs: /status and /net_info. */
export interface NodeStatus {
  height: bigint;
  appHash: string;
  nodeId: string;
  catchingUp: boolean;
}

async function call(url: string, method: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/${method}`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = (await res.json()) as { result?: Record<string, unknown>; error?: { message: string } };
  if (body.error || !body.result) throw new Error(`${method}: ${body.error?.message ?? 'no result'}`);
  return body.result;
}

export async function fetchStatus(rpc: string, timeoutMs = 2000): Promise<NodeStatus> {
  const r = (await call(rpc, 'status', timeoutMs)) as {
    node_info?: { id?: string };
    sync_info?: { latest_block_height?: string; latest_app_hash?: string; catching_up?: boolean };
  };
  const h = r.sync_info?.latest_block_height;
  if (typeof h !== 'string' || !/^[0-9]+$/.test(h)) throw new Error('status: no latest_block_height');
  return {
    height: BigInt(h),
    appHash: r.sync_info?.latest_app_hash ?? '',
    nodeId: r.node_info?.id ?? '',
    catchingUp: r.sync_info?.catching_up === true,
  };
}

export async function fetchPeerCount(rpc: string, timeoutMs = 2000): Promise<number> {
  const r = (await call(rpc, 'net_info', timeoutMs)) as { n_peers?: string };
  const n = Number(r.n_peers);
  if (!Number.isSafeInteger(n)) throw new Error('net_info: no n_peers');
  return n;
}
