/**
 * ABCI events, built the way the Cosmos SDK emits them: typed events with string attributes,
 * all indexed (CometBFT's kv indexer only indexes attributes flagged `index`).
 */
import type { Event } from 'cosmjs-types/tendermint/abci/types';

export type { Event };

export function makeEvent(type: string, attrs: ReadonlyArray<readonly [string, string]>): Event {
  return { type, attributes: attrs.map(([key, value]) => ({ key, value, index: true })) };
}

export class EventManager {
  private readonly list: Event[] = [];

  emit(type: string, attrs: ReadonlyArray<readonly [string, string]>): void {
    this.list.push(makeEvent(type, attrs));
  }

  emitEvents(events: readonly Event[]): void {
    for (const e of events) this.list.push(e);
  }

  events(): Event[] {
    return this.list;
  }
}

// Event types and attribute keys shared across modules (types/events.go in the SDK).
export const EventTypeMessage = 'message';
export const EventTypeTx = 'tx';
export const AttributeKeyAction = 'action';
export const AttributeKeyModule = 'module';
export const AttributeKeySender = 'sender';
export const AttributeKeyMsgIndex = 'msg_index';
export const AttributeKeyFee = 'fee';
export const AttributeKeyFeePayer = 'fee_payer';
export const AttributeKeyAccountSequence = 'acc_seq';
export const AttributeKeySignature = 'signature';
