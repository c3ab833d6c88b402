import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHearthRegistry, marketV1 } from '@hearth/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeObjectFromJson,
  findQuery,
  messageTypes,
  queryCodecs,
  queryMethods,
  readJsonArg,
} from '../src/commands/generic.js';

const OWNER = 'hearth1j3a5xvmu3mq3ed6yl8jjadhyzacetcrmqlynte';
const dir = mkdtempSync(join(tmpdir(), 'hearth-generic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hearth tx msg', () => {
  it('lists the Cosmos messages the chain executes and every Hearth message', () => {
    const types = messageTypes();
    for (const t of [
      '/cosmos.bank.v1beta1.MsgSend',
      '/cosmos.staking.v1beta1.MsgDelegate',
      '/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward',
      '/cosmos.slashing.v1beta1.MsgUnjail',
      '/hearth.market.v1.MsgCreateLease',
      '/hearth.provider.v1.MsgProviderHeartbeat',
      '/hearth.escrow.v1.MsgWithdrawLease',
    ])
      expect(types).toContain(t);
    // CosmJS knows these, but Hearth runs no gov, authz or IBC.
    expect(types.some((t) => /gov|authz|ibc|feegrant/.test(t))).toBe(false);
    expect([...types].sort()).toEqual(types);
  });

  it('builds a Hearth message from proto3 JSON, 64-bit integers intact, under a short or full name', () => {
    const json = { owner: OWNER, dseq: '18446744073709551615' };
    const short = encodeObjectFromJson('market.MsgCloseDeployment', json);
    const full = encodeObjectFromJson('/hearth.market.v1.MsgCloseDeployment', json);
    expect(short).toEqual(full);
    expect(short.typeUrl).toBe('/hearth.market.v1.MsgCloseDeployment');
    const registry = createHearthRegistry();
    const decoded = registry.decode({ typeUrl: short.typeUrl, value: registry.encode(short) });
    expect(decoded).toEqual(marketV1.MsgCloseDeployment.fromPartial({ owner: OWNER, dseq: 2n ** 64n - 1n }));
  });

  it('builds a Cosmos message by type URL', () => {
    const m = encodeObjectFromJson('/cosmos.staking.v1beta1.MsgDelegate', {
      delegatorAddress: OWNER,
      validatorAddress: 'hearthvaloper1xyz',
      amount: { denom: 'uhth', amount: '1000' },
    });
    expect(m.value).toMatchObject({ delegatorAddress: OWNER, amount: { denom: 'uhth', amount: '1000' } });
  });

  it('refuses unknown types, unknown fields and bad JSON with clear errors', () => {
    expect(() => encodeObjectFromJson('market.MsgNope', {})).toThrow(
      'unknown message type /hearth.market.v1.MsgNope',
    );
    expect(() => encodeObjectFromJson('gov.MsgVote', {})).toThrow(/unknown message "gov.MsgVote"/);
    expect(() => encodeObjectFromJson('market.MsgCloseDeployment', { owner: OWNER, deseq: '1' })).toThrow(
      /unknown field\(s\) "deseq"; its fields are owner, dseq/,
    );
    // snake_case is not the proto3 JSON name the codecs read: caught, not silently dropped.
    expect(() =>
      encodeObjectFromJson('provider.MsgCreateProvider', { owner: OWNER, host_uri: 'https://x.example' }),
    ).toThrow(/"host_uri"/);
    expect(() => readJsonArg('{bad', 'the message')).toThrow(/the message is not valid JSON/);
    expect(() => readJsonArg('[1]', 'the message')).toThrow('the message must be a JSON object');
    expect(() => readJsonArg('null', 'the message')).toThrow('the message must be a JSON object');
    expect(() => readJsonArg(`@${join(dir, 'missing.json')}`, 'the message')).toThrow(
      /cannot read the message/,
    );
  });

  it('reads the JSON from a file with @path', () => {
    const file = join(dir, 'msg.json');
    writeFileSync(file, JSON.stringify({ owner: OWNER, dseq: '7' }));
    expect(readJsonArg(`@${file}`, 'the message')).toEqual({ owner: OWNER, dseq: '7' });
  });
});

describe('hearth query hearth', () => {
  it('finds every Hearth query by short name or gRPC path, and refuses others', () => {
    const paths = queryMethods().map((m) => m.path);
    expect(paths).toContain('/hearth.market.v1.Query/Deployments');
    expect(paths).toContain('/hearth.escrow.v1.Query/Account');
    expect(findQuery('market.Deployments').path).toBe('/hearth.market.v1.Query/Deployments');
    expect(findQuery('/hearth.provider.v1.Query/Provider').method).toBe('Provider');
    expect(() => findQuery('market.Nope')).toThrow(/unknown query "market.Nope"/);
    expect(() => findQuery('bank.Balance')).toThrow(/unknown query/);
  });

  it('encodes requests and decodes answers with the method codecs', () => {
    const { request, response } = queryCodecs(findQuery('market.Deployment'));
    const bytes = request.encode(request.fromJSON({ id: { owner: OWNER, dseq: '5' } })).finish();
    expect(request.toJSON(request.decode(bytes))).toEqual({ id: { owner: OWNER, dseq: '5' } });
    expect(response.toJSON(response.decode(new Uint8Array()))).toEqual({});
  });
});
