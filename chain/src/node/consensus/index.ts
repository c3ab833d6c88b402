/**
 * Tendermint consensus (Buchman, Kwon, Milosevic 2018, Algorithm 1, as CometBFT v0.38 runs it)
 * as a pure core that a host drives. Nothing here touches clocks, sockets or disks.
 *
 * How a host (the real node) drives it:
 *
 * 1. Build a `Driver` with `validators(height)` (powers by index and this node's index, from the
 *    app's state: FinalizeBlock(H)'s updates apply at H+2), `proposer(height, round)` (CometBFT's
 *    proposer-priority rotation, from `node/types`), `verify(message)` (signature over CometBFT's
 *    canonical sign bytes) and optional `timeouts` (DEFAULT_TIMEOUTS suit ~1 s localnet blocks).
 * 2. `driver.handle({ type: 'start', height })` once the app handshake says which height is next,
 *    then feed every peer message (`vote`, `proposal`, `commitCertificate`), every fired timer
 *    (`timeout`), and the answers to the driver's own requests.
 * 3. Carry out the returned effects in order:
 *    - `persistWal`: append the entry to the consensus WAL; fsync before executing a later `sign`.
 *    - `sign`: sign with the privval (which refuses conflicting signatures for the same
 *      height/round/step), feed back `{ type: 'signed', message }`.
 *    - `broadcast`: gossip to peers (the driver already counted its own message).
 *    - `scheduleTimeout`: start a timer; when it fires feed `{ type: 'timeout', height, round, step }`.
 *    - `requestProposal`: run ABCI PrepareProposal, split the block into 64 KiB parts, feed
 *      `{ type: 'proposedValue', height, round, valueId }` (valueId = the BlockID key).
 *    - `validateProposal`: assemble the block from its parts, run ProcessProposal, feed
 *      `{ type: 'proposalValidity', height, valueId, valid }`.
 *    - `decide`: FinalizeBlock (with the previous decision's commit as decided_last_commit and the
 *      collected evidence as misbehavior), Commit, store the block with `commit`. The driver moves
 *      to the next height itself when the commit timeout fires.
 *    - `evidence`: hand to the evidence pool. `invalidMessage`: optionally penalise the peer.
 *    - `enterRound`: informational (RPC events, NewRoundStep gossip).
 * 4. After a crash, replay the WAL's entries of the current height into a fresh driver: the same
 *    `sign` requests come out again, and the privval answers them with the signatures it gave.
 */
export {
  Driver,
  type DriverConfig,
  type DriverInput,
  type Effect,
  type WalEntry,
} from './driver.js';
export {
  initialRoundState,
  type RoundContext,
  type RoundInput,
  type RoundOutput,
  type RoundState,
  step as roundStep,
  type Transition,
} from './roundMachine.js';
export {
  ConsensusInputError,
  type ConsensusMessage,
  DEFAULT_TIMEOUTS,
  type DuplicateVoteEvidence,
  type HeightValidators,
  MAX_ROUND,
  type RoundStep,
  type SignedProposal,
  type SignedVote,
  type TimeoutConfig,
  type TimeoutStep,
  timeoutDuration,
  type UnsignedMessage,
  type UnsignedProposal,
  type UnsignedVote,
  type ValueId,
  type VoteType,
} from './types.js';
export { type AddVoteResult, MAX_VALUES_PER_VALIDATOR, VoteKeeper } from './voteKeeper.js';
