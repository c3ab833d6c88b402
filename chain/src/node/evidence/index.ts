/** Duplicate-vote evidence: the pool (verify, persist, propose, check, prune) and its gossip reactor. */
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
