/**
 * Child process for the privval crash test: loads (or creates) a FilePV in the directory given
 * as argv[2] and signs proposals, prevotes and precommits for ever-increasing heights until it
 * is killed. Every signature it obtains is printed as one line, so the parent can check that no
 * (height, round, step) ever got two different sign bytes.
 *
 * On start it first re-asks for the last signed HRS twice: once with the same block and a new
 * timestamp (must get the old signature back) and once with a different block (must be refused).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  bytesToHex,
  emptyVote,
  type Proposal,
  proposalSignBytes,
  SignedMsgType,
  timestampFromDate,
  type Vote,
  voteSignBytes,
} from '../../types/index.js';
import { FilePV, PrivvalError, STEP_PRECOMMIT, STEP_PREVOTE, STEP_PROPOSE } from '../filePV.js';

const CHAIN = 'crash-chain';
const home = process.argv[2];
if (home === undefined) throw new Error('usage: crashSigner.ts HOME');
const pv = FilePV.loadOrGenerate({
  keyFile: join(home, 'config', 'priv_validator_key.json'),
  stateFile: join(home, 'data', 'priv_validator_state.json'),
});

function blockId(h: bigint, r: number, salt: string) {
  const hash = createHash('sha256').update(`${h}/${r}/${salt}`).digest();
  return { hash: new Uint8Array(hash), partSetHeader: { total: 1, hash: new Uint8Array(hash) } };
}

function vote(h: bigint, r: number, step: number, salt: string): Vote {
  return {
    ...emptyVote(),
    type: step === STEP_PREVOTE ? SignedMsgType.Prevote : SignedMsgType.Precommit,
    height: h,
    round: r,
    blockId: blockId(h, r, salt),
    timestamp: timestampFromDate(new Date()),
    validatorAddress: pv.address,
  };
}

function proposal(h: bigint, r: number, salt: string): Proposal {
  return {
    type: SignedMsgType.Proposal,
    height: h,
    round: r,
    polRound: -1,
    blockId: blockId(h, r, salt),
    timestamp: timestampFromDate(new Date()),
    signature: new Uint8Array(0),
  };
}

function sign(h: bigint, r: number, step: number, salt: string): string {
  if (step === STEP_PROPOSE) {
    const p = pv.signProposal(CHAIN, proposal(h, r, salt));
    return `${h} ${r} ${step} ${bytesToHex(proposalSignBytes(CHAIN, p))} ${bytesToHex(p.signature)}`;
  }
  const v = pv.signVote(CHAIN, vote(h, r, step, salt));
  return `${h} ${r} ${step} ${bytesToHex(voteSignBytes(CHAIN, v))} ${bytesToHex(v.signature)}`;
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const last = pv.lastSignState;
out(`START ${last.step}`);
if (last.step !== 0) {
  out(`SIG ${sign(last.height, last.round, last.step, 'a')}`);
  try {
    sign(last.height, last.round, last.step, 'conflict');
    out('CONFLICT-SIGNED');
  } catch (e) {
    out(e instanceof PrivvalError && e.message === 'conflicting data' ? 'REFUSED' : `ERROR ${String(e)}`);
  }
}
out('READY');
// Continue with the HRS right after the last signed one, so a lost sign state would make the
// child sign an already-printed HRS again (with a new timestamp, i.e. different sign bytes).
const order = [STEP_PROPOSE, STEP_PREVOTE, STEP_PRECOMMIT];
let h = last.height === 0n ? 1n : last.height;
let r = last.step === 0 ? 0 : last.round;
let i = last.step === 0 ? 0 : order.indexOf(last.step) + 1;
for (;;) {
  if (i === order.length) {
    i = 0;
    r++;
  }
  // Two rounds per height so that round changes are exercised too.
  if (r === 2) {
    r = 0;
    h++;
  }
  out(`SIG ${sign(h, r, order[i]!, 'a')}`);
  i++;
}
