/**
 * Typed queries for Hearth's modules, as a CosmJS `QueryClient` extension:
 *
 * ```ts
 * const comet = await connectComet('http://127.0.0.1:26657');
 * const q = QueryClient.withExtensions(comet, setupHearthExtension);
 * const { leases } = await q.hearth.market.leases({ provider: 'hearth1...' });
 * ```
 *
 * Every method of every Hearth `Query` service is there under its ts-proto name (`deployments`,
 * `auditedAttributes`, ...), built from the generated service definitions: a query added to a
 * .proto appears once the code is regenerated. Requests take partial objects (64-bit fields as
 * bigint, number or decimal string); answers are the generated message types. A query the chain
 * refuses rejects with its error (code and log), as CosmJS' own extensions do.
 */
import type { QueryClient } from '@cosmjs/stargate';
import * as escrowV1 from './generated/index.hearth.escrow.v1.js';
import * as marketV1 from './generated/index.hearth.market.v1.js';
import * as providerV1 from './generated/index.hearth.provider.v1.js';
import { methodPath, type ServiceDefinition } from './services.js';

type Builtin = Date | ((...args: never[]) => unknown) | Uint8Array | string | number | boolean | undefined;

/** What a request may leave out (as ts-proto's `fromPartial` takes it). */
export type DeepPartial<T> = T extends bigint
  ? string | number | bigint
  : T extends Builtin
    ? T
    : T extends Array<infer U>
      ? Array<DeepPartial<U>>
      : T extends ReadonlyArray<infer U>
        ? ReadonlyArray<DeepPartial<U>>
        : T extends object
          ? { [K in keyof T]?: DeepPartial<T[K]> }
          : Partial<T>;

type MessageOf<C> = C extends { decode(input: Uint8Array, length?: number): infer T } ? T : never;

/** The typed methods of one `Query` service definition. */
export type QueryMethods<D extends ServiceDefinition> = {
  [K in keyof D['methods']]: (
    request?: DeepPartial<MessageOf<D['methods'][K]['requestType']>>,
  ) => Promise<MessageOf<D['methods'][K]['responseType']>>;
};

export interface HearthExtension {
  readonly hearth: {
    readonly provider: QueryMethods<typeof providerV1.QueryDefinition>;
    readonly market: QueryMethods<typeof marketV1.QueryDefinition>;
    readonly escrow: QueryMethods<typeof escrowV1.QueryDefinition>;
  };
}

/** A service's methods under their ts-proto keys, each an ABCI query to the method's path. */
function methodsOf<D extends ServiceDefinition>(
  base: Pick<QueryClient, 'queryAbci'>,
  definition: D,
): QueryMethods<D> {
  const out: Record<string, (request?: unknown) => Promise<unknown>> = {};
  for (const [key, { name, requestType: req, responseType: res }] of Object.entries(definition.methods)) {
    const path = methodPath(definition, name);
    out[key] = async (request?: unknown) => {
      const bytes = req.encode(req.fromPartial((request ?? {}) as never)).finish();
      const { value } = await base.queryAbci(path, bytes);
      return res.decode(value);
    };
  }
  return out as QueryMethods<D>;
}

/** `QueryClient.withExtensions(comet, setupHearthExtension)`: `q.hearth.<module>.<method>(request)`. */
export function setupHearthExtension(base: QueryClient): HearthExtension {
  return {
    hearth: {
      provider: methodsOf(base, providerV1.QueryDefinition),
      market: methodsOf(base, marketV1.QueryDefinition),
      escrow: methodsOf(base, escrowV1.QueryDefinition),
    },
  };
}
