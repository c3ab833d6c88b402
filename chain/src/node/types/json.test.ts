import { describe, expect, it } from 'vitest';
import captures from '../../../test/vectors/cometbft/rpcCaptures.json' with { type: 'json' };
import {
  base64ToBytes,
  blockFromJson,
  commitFromJson,
  consensusParamsFromJson,
  consensusParamsToJson,
  DecodeError,
  headerFromJson,
  hexToBytes,
  publicKeyFromJson,
  validatorFromJson,
  validatorToJson,
} from './index.js';

describe('CometBFT JSON forms', () => {
  it('consensus params and validators round-trip', () => {
    expect(consensusParamsToJson(consensusParamsFromJson(captures.consensusParams))).toEqual(
      captures.consensusParams,
    );
    const v = validatorFromJson(captures.statusValidatorInfo);
    expect(v.votingPower).toBe(10n);
    expect(validatorToJson(v)).toEqual({ ...captures.statusValidatorInfo, proposer_priority: '0' });
  });

  it('refuses malformed input with DecodeError', () => {
    const header = captures.block10.block.header;
    const bad: [() => unknown, RegExp][] = [
      [() => hexToBytes('abc'), /expected hex/],
      [() => hexToBytes('zz'), /expected hex/],
      [() => base64ToBytes('abc'), /expected base64/],
      [() => headerFromJson({ ...header, height: 10 + 0.5 }), /int64/],
      [() => headerFromJson({ ...header, height: '9223372036854775808' }), /int64/],
      [() => headerFromJson({ ...header, time: 'yesterday' }), /RFC 3339/],
      [() => headerFromJson({ ...header, version: { block: '-1' } }), /negative/],
      [
        () => headerFromJson({ ...header, last_block_id: { hash: '', parts: { total: -1, hash: '' } } }),
        /negative/,
      ],
      [() => headerFromJson(null), /expected an object/],
      [() => blockFromJson({ ...captures.block10.block, data: { txs: 'nope' } }), /expected an array/],
      [() => commitFromJson({ ...captures.commit10.signed_header.commit, round: 2 ** 31 }), /int32/],
      [() => publicKeyFromJson({ type: 'tendermint/PubKeySr25519', value: '' }), /unsupported type/],
      [
        () =>
          blockFromJson({ ...captures.block10.block, evidence: { evidence: [{ type: 'x', value: {} }] } }),
        /unsupported/,
      ],
    ];
    for (const [f, err] of bad) {
      expect(f, String(err)).toThrow(DecodeError);
      expect(f, String(err)).toThrow(err);
    }
  });
});
