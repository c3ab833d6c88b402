/**
 * Duplicate-vote evidence: the pool (verify, persist, propose, check, prune) and its gossip reactor.
 *
 * Wiring in the node (after the handshake, so `chain.current` exists):
 *   const pool = await EvidencePool.open({ db: await openLevelDb(<data>/evidence.db), stateStore,
 *     blockStore, chainState: () => chain.current, logger: log.child('evidence') });
 *   const reactor = new EvidenceReactor({ pool, onPeerError: (p, r) => sw.stopPeerForError(p, r),
 *     peerHeight: (p) => <consensus reactor's height for p> }); sw.addReactor(reactor); reactor.start();
 * - consensus `evidence` effect: look up the two full Votes (the service's side table, by the
 *   SignedVotes' signatures) and call `pool.addFromConsensus(voteA, voteB)`;
 * - createProposalBlock: `ev = pool.pendingEvidence(params.evidence.maxBytes)`, pass
 *   `evidenceListSize(ev)` to maxDataBytes, put `ev` in the block and `evidenceHash(ev)` in the header;
 * - validateProposalBlock (and block sync's applyBlock): `await pool.checkEvidence(block.evidence)`,
 *   a throw rejects the block;
 * - after every committed block (consensus or block sync): `await pool.update(state, block.evidence)`.
 */
export { EvidencePool, type EvidencePoolOptions, evidenceKey, evidenceListSize } from './pool.js';
export {
  decodeEvidenceMessage,
  EVIDENCE_CHANNEL,
  EvidenceMessageError,
  EvidenceReactor,
  type EvidenceReactorOptions,
  encodeEvidenceMessage,
  MAX_EVIDENCE_MSG_BYTES,
} from './reactor.js';
export {
  type EvidenceAgeParams,
  evidenceHeight,
  InvalidEvidenceError,
  isEvidenceExpired,
  newDuplicateVoteEvidence,
  UnusableEvidenceError,
  verifyDuplicateVote,
} from './verify.js';
