/** Message and query routing: one handler per type URL / gRPC method path, registered once. */
import type { AppModule, MsgHandler, QueryHandler } from '../types/module.js';

export class MsgRouter {
  private readonly handlers = new Map<string, { handler: MsgHandler<any>; module: string }>();

  register(module: AppModule): void {
    for (const h of module.msgHandlers ?? []) {
      if (this.handlers.has(h.typeUrl)) throw new Error(`message ${h.typeUrl} registered twice`);
      this.handlers.set(h.typeUrl, { handler: h, module: module.name });
    }
  }

  route(typeUrl: string): { handler: MsgHandler<any>; module: string } | undefined {
    return this.handlers.get(typeUrl);
  }

  typeUrls(): string[] {
    return [...this.handlers.keys()].sort();
  }
}

export class QueryRouter {
  private readonly handlers = new Map<string, QueryHandler>();

  register(module: AppModule): void {
    for (const [path, h] of Object.entries(module.queryHandlers ?? {})) this.add(path, h);
  }

  add(path: string, h: QueryHandler): void {
    if (this.handlers.has(path)) throw new Error(`query ${path} registered twice`);
    this.handlers.set(path, h);
  }

  route(path: string): QueryHandler | undefined {
    return this.handlers.get(path);
  }
}
