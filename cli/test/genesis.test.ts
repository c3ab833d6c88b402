import { defaultAppState, validateAppState } from '@hearth/chain/app/app';
import { describe, expect, it } from 'vitest';
import { addGenesisAccount, parseCoinsArg } from '../src/commands/genesis.js';

const ALICE = 'hearth1lsagfzrm4gz28he4wunt63sts5xzmczwyn9tc9';
const BOB = 'hearth1j3a5xvmu3mq3ed6yl8jjadhyzacetcrmqlynte';

describe('genesis add-account', () => {
  it('adds accounts with increasing numbers and keeps a given supply adding up', () => {
    let state = defaultAppState() as Record<string, unknown>;
    state = addGenesisAccount(state, ALICE, parseCoinsArg('100uhth'));
    state = addGenesisAccount(state, BOB, parseCoinsArg('5uatom,7uhth'));
    validateAppState(state);
    const auth = state.auth as { accounts: { account_number: string }[] };
    expect(auth.accounts.map((a) => a.account_number)).toEqual(['0', '1']);
    const withSupply = {
      ...state,
      bank: {
        ...(state.bank as object),
        supply: [
          { denom: 'uatom', amount: '5' },
          { denom: 'uhth', amount: '107' },
        ],
      },
    };
    const more = addGenesisAccount(
      withSupply,
      'hearth1pkptre7fdkl6gfrzlesjjvhxhlc3r4gmcy537w',
      parseCoinsArg('3uhth'),
    );
    validateAppState(more);
    expect((more.bank as { supply: unknown }).supply).toEqual([
      { denom: 'uatom', amount: '5' },
      { denom: 'uhth', amount: '110' },
    ]);
  });

  it('refuses duplicates and malformed coins', () => {
    const state = addGenesisAccount(defaultAppState(), ALICE, parseCoinsArg('100uhth'));
    expect(() => addGenesisAccount(state, ALICE, parseCoinsArg('1uhth'))).toThrow(/already in the genesis/);
    for (const bad of ['', '100', 'uhth', '1.5uhth', '0uhth', '5uhth,6uhth', '-1uhth']) {
      expect(() => parseCoinsArg(bad), bad).toThrow();
    }
  });

  it('a genesis whose supply does not add up is refused with the field named', () => {
    const state = addGenesisAccount(defaultAppState(), ALICE, parseCoinsArg('100uhth'));
    const bad = { ...state, bank: { ...(state.bank as object), supply: [{ denom: 'uhth', amount: '99' }] } };
    expect(() => validateAppState(bad)).toThrow(/bank.supply/);
  });
});
