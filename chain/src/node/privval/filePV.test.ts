import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeFileError } from '../config/files.js';
import {
  bytesToHex,
  decodeProposal,
  decodeVote,
  emptyBlockId,
  emptyVote,
  encodeProposal,
  encodeVote,
  hexToBytes,
  type Proposal,
  proposalSignBytes,
  SignedMsgType,
  sha256,
  type Vote,
  verifySignature,
  voteExtensionSignBytes,
  voteSignBytes,
} from '../types/index.js';
import { Ed25519PrivateKey } from './ed25519.js';
import { FilePV, type FilePVPaths, PrivvalError, privValidatorKeyToJson } from './filePV.js';
import vectors from './testdata/privvalVectors.json' with { type: 'json' };

const dirs: string[] = [];
function tempPaths(): FilePVPaths {
  const d = mkdtempSync(join(tmpdir(), 'hearth-pv-'));
  dirs.push(d);
  return {
    keyFile: join(d, 'config', 'priv_validator_key.json'),
    stateFile: join(d, 'data', 'priv_validator_state.json'),
  };
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const CHAIN = 'test-chain';
const bid = (tag: string) => ({
  hash: sha256(new TextEncoder().encode(tag)),
  partSetHeader: { total: 1, hash: sha256(new TextEncoder().encode(`${tag}/parts`)) },
});
function vote(type: number, height: bigint, round: number, tag: string, seconds = 1_700_000_000n): Vote {
  return {
    ...emptyVote(),
    type,
    height,
    round,
    blockId: tag === 'nil' ? emptyBlockId() : bid(tag),
    timestamp: { seconds, nanos: 5 },
    validatorAddress: new Uint8Array(20).fill(1),
  };
}
function proposal(height: bigint, round: number, tag: string, seconds = 1_700_000_000n): Proposal {
  return {
    type: SignedMsgType.Proposal,
    height,
    round,
    polRound: -1,
    blockId: bid(tag),
    timestamp: { seconds, nanos: 0 },
    signature: new Uint8Array(0),
  };
}

describe('CometBFT privval vectors (privval/msgs_test.go)', () => {
  const key = Ed25519PrivateKey.fromSecret(vectors.secret);
  const pv = FilePV.generate({ keyFile: '/nonexistent/k', stateFile: '/nonexistent/s' }, key);

  it('GenPrivKeyFromSecret gives the vector public key and address', () => {
    expect(Buffer.from(key.publicKey).toString('hex')).toBe(vectors.pubKeyHex);
    expect(bytesToHex(pv.address)).toBe(vectors.addressHex);
  });

  it('the example vote and proposal decode and re-encode byte for byte', () => {
    const v = decodeVote(hexToBytes(vectors.voteHex));
    expect(v.height).toBe(3n);
    expect(v.validatorIndex).toBe(56789);
    expect(new TextDecoder().decode(v.extension)).toBe('extension');
    expect(Buffer.from(encodeVote(v)).toString('hex')).toBe(vectors.voteHex);
    const p = decodeProposal(hexToBytes(vectors.proposalHex));
    expect(p.polRound).toBe(2);
    expect(Buffer.from(encodeProposal(p)).toString('hex')).toBe(vectors.proposalHex);
  });

  it('signs the example precommit with a verifying signature and extension signature', () => {
    const paths = tempPaths();
    const signer = FilePV.generate(paths, key);
    signer.save();
    const v = signer.signVote('chain-id', decodeVote(hexToBytes(vectors.voteHex)));
    expect(verifySignature(key.pubKey(), voteSignBytes('chain-id', v), v.signature)).toBe(true);
    expect(verifySignature(key.pubKey(), voteExtensionSignBytes('chain-id', v), v.extensionSignature)).toBe(
      true,
    );
  });
});

describe('key and state files', () => {
  it('writes CometBFT layouts (0600, upper-hex address, 64-byte priv key, string height)', () => {
    const paths = tempPaths();
    const pv = FilePV.loadOrGenerate(paths);
    const keyJson = JSON.parse(readFileSync(paths.keyFile, 'utf8'));
    expect(Object.keys(keyJson)).toEqual(['address', 'pub_key', 'priv_key']);
    expect(keyJson.address).toBe(bytesToHex(pv.address));
    expect(keyJson.address).toMatch(/^[0-9A-F]{40}$/);
    expect(keyJson.pub_key.type).toBe('tendermint/PubKeyEd25519');
    expect(keyJson.priv_key.type).toBe('tendermint/PrivKeyEd25519');
    const priv = Buffer.from(keyJson.priv_key.value, 'base64');
    expect(priv.length).toBe(64);
    expect(priv.subarray(32).toString('base64')).toBe(keyJson.pub_key.value);
    expect(statSync(paths.keyFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(paths.stateFile, 'utf8'))).toEqual({ height: '0', round: 0, step: 0 });

    pv.signVote(CHAIN, vote(SignedMsgType.Prevote, 2n ** 40n, 7, 'x'));
    const st = JSON.parse(readFileSync(paths.stateFile, 'utf8'));
    expect(st.height).toBe('1099511627776');
    expect(st.round).toBe(7);
    expect(st.step).toBe(2);
    expect(Buffer.from(st.signature, 'base64').length).toBe(64);
    expect(st.signbytes).toMatch(/^[0-9A-F]+$/);

    const again = FilePV.load(paths);
    expect(bytesToHex(again.address)).toBe(bytesToHex(pv.address));
    expect(again.lastSignState).toEqual(pv.lastSignState);
  });

  it('loads a key file written from a known key', () => {
    const paths = tempPaths();
    const key = Ed25519PrivateKey.fromSecret('known');
    FilePV.generate(paths, key).save();
    expect(JSON.parse(readFileSync(paths.keyFile, 'utf8'))).toEqual(privValidatorKeyToJson(key));
    expect(Buffer.from(FilePV.load(paths).key.seed)).toEqual(Buffer.from(key.seed));
  });

  const corruptions: Array<[string, (k: Record<string, unknown>) => unknown, RegExp]> = [
    ['not JSON', () => '{"address": ', /not valid JSON/],
    ['no priv_key', (k) => ({ ...k, priv_key: undefined }), /priv_key is missing/],
    [
      'secp256k1 type',
      (k) => ({ ...k, priv_key: { type: 'tendermint/PrivKeySecp256k1', value: 'AAAA' } }),
      /unsupported priv_key type/,
    ],
    [
      'bad base64',
      (k) => ({ ...k, priv_key: { type: 'tendermint/PrivKeyEd25519', value: '!!!' } }),
      /base64/,
    ],
    [
      '32-byte priv key',
      (k) => ({
        ...k,
        priv_key: { type: 'tendermint/PrivKeyEd25519', value: Buffer.alloc(32).toString('base64') },
      }),
      /64 bytes/,
    ],
    [
      'wrong pub half',
      (k) => ({
        ...k,
        priv_key: { type: 'tendermint/PrivKeyEd25519', value: Buffer.alloc(64, 3).toString('base64') },
      }),
      /does not match the seed/,
    ],
    ['wrong address', (k) => ({ ...k, address: '00'.repeat(20) }), /address does not match/],
    [
      'wrong pub_key',
      (k) => ({
        ...k,
        pub_key: { type: 'tendermint/PubKeyEd25519', value: Buffer.alloc(32).toString('base64') },
      }),
      /pub_key does not match/,
    ],
  ];
  it.each(corruptions)('refuses a key file with %s', (_name, mutate, message) => {
    const paths = tempPaths();
    const pv = FilePV.loadOrGenerate(paths);
    const mutated = mutate(privValidatorKeyToJson(pv.key));
    writeFileSync(paths.keyFile, typeof mutated === 'string' ? mutated : JSON.stringify(mutated));
    expect(() => FilePV.load(paths)).toThrow(NodeFileError);
    expect(() => FilePV.load(paths)).toThrow(message);
    expect(() => FilePV.loadOrGenerate(paths)).toThrow(message);
  });

  const badStates: Array<[string, unknown, RegExp]> = [
    ['negative height', { height: '-1', round: 0, step: 0 }, /height/],
    ['height too large', { height: '9223372036854775808', round: 0, step: 0 }, /out of range/],
    ['step 4', { height: '1', round: 0, step: 4 }, /step must be 0..3/],
    ['fractional round', { height: '1', round: 0.5, step: 1 }, /round/],
    [
      'sign bytes without signature',
      { height: '1', round: 0, step: 1, signbytes: 'AB' },
      /without a signature/,
    ],
    ['bad hex', { height: '1', round: 0, step: 1, signature: 'AAAA', signbytes: 'XYZ' }, /hex/],
    ['an array', [], /object/],
  ];
  it.each(badStates)('refuses a state file with %s', (_name, content, message) => {
    const paths = tempPaths();
    FilePV.loadOrGenerate(paths);
    writeFileSync(paths.stateFile, JSON.stringify(content));
    expect(() => FilePV.load(paths)).toThrow(message);
  });

  it('names the missing file, and refuses to make a new key when only the state exists', () => {
    const paths = tempPaths();
    expect(() => FilePV.load(paths)).toThrow(/priv_validator_key.json: priv validator key file not found/);
    FilePV.loadOrGenerate(paths);
    rmSync(paths.stateFile);
    expect(() => FilePV.load(paths)).toThrow(
      /priv_validator_state.json: priv validator state file not found/,
    );
    rmSync(paths.keyFile);
    writeFileSync(paths.stateFile, JSON.stringify({ height: '5', round: 0, step: 1 }));
    expect(() => FilePV.loadOrGenerate(paths)).toThrow(/refusing to make a new key/);
  });
});

describe('double-sign protection', () => {
  it('returns the same signature for the same vote, also after a reload', () => {
    const paths = tempPaths();
    const pv = FilePV.loadOrGenerate(paths);
    const v = vote(SignedMsgType.Prevote, 5n, 0, 'A');
    const s1 = pv.signVote(CHAIN, v);
    expect(verifySignature(pv.pubKey, voteSignBytes(CHAIN, s1), s1.signature)).toBe(true);
    expect(s1.extensionSignature.length).toBe(0);
    expect(bytesToHex(pv.signVote(CHAIN, v).signature)).toBe(bytesToHex(s1.signature));
    const reloaded = FilePV.load(paths);
    expect(bytesToHex(reloaded.signVote(CHAIN, v).signature)).toBe(bytesToHex(s1.signature));
  });

  it('a vote differing only in timestamp gets the old signature and the old timestamp', () => {
    const paths = tempPaths();
    const pv = FilePV.loadOrGenerate(paths);
    const s1 = pv.signVote(CHAIN, vote(SignedMsgType.Precommit, 5n, 1, 'A', 100n));
    const s2 = FilePV.load(paths).signVote(CHAIN, vote(SignedMsgType.Precommit, 5n, 1, 'A', 999n));
    expect(s2.timestamp).toEqual({ seconds: 100n, nanos: 5 });
    expect(bytesToHex(s2.signature)).toBe(bytesToHex(s1.signature));
    expect(verifySignature(pv.pubKey, voteSignBytes(CHAIN, s2), s2.signature)).toBe(true);
  });

  it('refuses conflicting data for the same HRS, also after a reload', () => {
    const paths = tempPaths();
    const pv = FilePV.loadOrGenerate(paths);
    pv.signVote(CHAIN, vote(SignedMsgType.Prevote, 5n, 0, 'A'));
    expect(() => pv.signVote(CHAIN, vote(SignedMsgType.Prevote, 5n, 0, 'B'))).toThrow('conflicting data');
    expect(() => pv.signVote(CHAIN, vote(SignedMsgType.Prevote, 5n, 0, 'nil'))).toThrow('conflicting data');
    expect(() => pv.signVote('other-chain', vote(SignedMsgType.Prevote, 5n, 0, 'A'))).toThrow(
      'conflicting data',
    );
    expect(() => FilePV.load(paths).signVote(CHAIN, vote(SignedMsgType.Prevote, 5n, 0, 'B'))).toThrow(
      PrivvalError,
    );
  });

  it('refuses regressions of height, round and step', () => {
    const pv = FilePV.loadOrGenerate(tempPaths());
    pv.signVote(CHAIN, vote(SignedMsgType.Prevote, 10n, 3, 'A'));
    expect(() => pv.signVote(CHAIN, vote(SignedMsgType.Prevote, 9n, 5, 'A'))).toThrow(/height regression/);
    expect(() => pv.signVote(CHAIN, vote(SignedMsgType.Prevote, 10n, 2, 'A'))).toThrow(/round regression/);
    expect(() => pv.signProposal(CHAIN, proposal(10n, 3, 'A'))).toThrow(/step regression/);
    // Moving forward is fine: precommit in the same round, then a later round.
    pv.signVote(CHAIN, vote(SignedMsgType.Precommit, 10n, 3, 'A'));
    pv.signProposal(CHAIN, proposal(10n, 4, 'B'));
    expect(pv.lastSignState).toMatchObject({ height: 10n, round: 4, step: 1 });
  });

  it('signs proposals with the same rules', () => {
    const paths = tempPaths();
    const pv = FilePV.loadOrGenerate(paths);
    const p1 = pv.signProposal(CHAIN, proposal(2n ** 62n, 0, 'A', 5n));
    expect(verifySignature(pv.pubKey, proposalSignBytes(CHAIN, p1), p1.signature)).toBe(true);
    const p2 = FilePV.load(paths).signProposal(CHAIN, proposal(2n ** 62n, 0, 'A', 6n));
    expect(p2.timestamp.seconds).toBe(5n);
    expect(bytesToHex(p2.signature)).toBe(bytesToHex(p1.signature));
    expect(() => pv.signProposal(CHAIN, { ...proposal(2n ** 62n, 0, 'A'), polRound: 0 })).toThrow(
      'conflicting data',
    );
  });

  it('signs extensions for non-nil precommits only and refuses extensions elsewhere', () => {
    const pv = FilePV.loadOrGenerate(tempPaths());
    const ext = new TextEncoder().encode('ext');
    const pc = pv.signVote(CHAIN, { ...vote(SignedMsgType.Precommit, 3n, 0, 'A'), extension: ext });
    expect(verifySignature(pv.pubKey, voteExtensionSignBytes(CHAIN, pc), pc.extensionSignature)).toBe(true);
    const empty = pv.signVote(CHAIN, vote(SignedMsgType.Precommit, 4n, 0, 'A'));
    expect(empty.extensionSignature.length).toBe(64);
    const nilPc = pv.signVote(CHAIN, vote(SignedMsgType.Precommit, 5n, 0, 'nil'));
    expect(nilPc.extensionSignature.length).toBe(0);
    expect(() => pv.signVote(CHAIN, { ...vote(SignedMsgType.Prevote, 6n, 0, 'A'), extension: ext })).toThrow(
      /extensions are only allowed in non-nil precommits/,
    );
    expect(() =>
      pv.signVote(CHAIN, { ...vote(SignedMsgType.Precommit, 7n, 0, 'nil'), extension: ext }),
    ).toThrow(/extensions are only allowed/);
    expect(() => pv.signVote(CHAIN, vote(SignedMsgType.Proposal, 8n, 0, 'A'))).toThrow(/vote of type 32/);
  });

  it('never gives two different sign bytes for one HRS (random request sequences, model check)', () => {
    const req = fc.record({
      kind: fc.constantFrom(1, 2, 3),
      height: fc.bigInt(1n, 3n),
      round: fc.integer({ min: 0, max: 2 }),
      tag: fc.constantFrom('A', 'B', 'nil'),
      seconds: fc.bigInt(1n, 3n),
      reload: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(req, { maxLength: 25 }), (reqs) => {
        const paths = tempPaths();
        let pv = FilePV.loadOrGenerate(paths);
        const signed = new Map<string, string>();
        let highest: [bigint, number, number] = [0n, 0, 0];
        for (const r of reqs) {
          if (r.reload) pv = FilePV.load(paths);
          const hrs = `${r.height}/${r.round}/${r.kind}`;
          const before = pv.lastSignState;
          let bytes: string;
          try {
            if (r.kind === 1) {
              if (r.tag === 'nil') continue;
              const p = pv.signProposal(CHAIN, proposal(r.height, r.round, r.tag, r.seconds));
              bytes = bytesToHex(proposalSignBytes(CHAIN, p));
              expect(verifySignature(pv.pubKey, proposalSignBytes(CHAIN, p), p.signature)).toBe(true);
            } else {
              const type = r.kind === 2 ? SignedMsgType.Prevote : SignedMsgType.Precommit;
              const v = pv.signVote(CHAIN, vote(type, r.height, r.round, r.tag, r.seconds));
              bytes = bytesToHex(voteSignBytes(CHAIN, v));
              expect(verifySignature(pv.pubKey, voteSignBytes(CHAIN, v), v.signature)).toBe(true);
            }
          } catch (e) {
            expect(e).toBeInstanceOf(PrivvalError);
            expect(pv.lastSignState).toEqual(before);
            continue;
          }
          const prev = signed.get(hrs);
          if (prev !== undefined) expect(bytes).toBe(prev);
          signed.set(hrs, bytes);
          const cur: [bigint, number, number] = [r.height, r.round, r.kind];
          const cmp =
            cur[0] !== highest[0]
              ? cur[0] < highest[0]
                ? -1
                : 1
              : cur[1] !== highest[1]
                ? cur[1] - highest[1]
                : cur[2] - highest[2];
          // Only the latest HRS or a later one can ever be signed.
          expect(cmp).toBeGreaterThanOrEqual(0);
          highest = cur;
        }
      }),
      { numRuns: 60 },
    );
  });
});

function compareHRS(a: [bigint, number, number], b: [bigint, number, number]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] !== b[1] ? a[1] - b[1] : a[2] - b[2];
}

describe('crash safety (child process SIGKILLed at random moments)', () => {
  const RUNS = process.env.HEARTH_LONG ? 60 : 10;

  function runChild(home: string, killAfterMs: number): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'testdata', 'crashSigner.ts'), home],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          // The repository root, where tsx is installed.
          cwd: join(import.meta.dirname, '..', '..', '..', '..'),
        },
      );
      let out = '';
      let err = '';
      let timer: NodeJS.Timeout | undefined;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (timer === undefined && out.includes('READY\n'))
          timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.on('error', reject);
      child.on('exit', (_code, signal) => {
        if (timer !== undefined) clearTimeout(timer);
        if (signal !== 'SIGKILL') reject(new Error(`signer child exited without being killed: ${err}`));
        else resolve(out.split('\n'));
      });
    });
  }

  it(`no HRS is ever signed twice with different data over ${RUNS} kills`, { timeout: 120_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'hearth-pv-crash-'));
    dirs.push(home);
    const bySlot = new Map<string, string>();
    const sigs = new Map<string, string>();
    let refused = 0;
    let resumed = 0;
    let lastPrinted: [bigint, number, number] = [0n, 0, 0];
    let total = 0;
    for (let i = 0; i < RUNS; i++) {
      const lines = await runChild(home, 5 + Math.floor(Math.random() * 40));
      for (const line of lines) {
        if (line === 'CONFLICT-SIGNED' || line.startsWith('ERROR')) throw new Error(`run ${i}: ${line}`);
        if (line === 'REFUSED') refused++;
        if (/^START [1-3]$/.test(line)) resumed++;
        // The last line may be torn by the kill: only complete lines count.
        const m = /^SIG (\d+) (\d+) (\d) ([0-9A-F]+) ([0-9A-F]{128})$/.exec(line);
        if (m === null) continue;
        total++;
        const slot = `${m[1]}/${m[2]}/${m[3]}`;
        const prev = bySlot.get(slot);
        if (prev !== undefined) expect(m[4]).toBe(prev);
        if (sigs.has(slot)) expect(m[5]).toBe(sigs.get(slot));
        bySlot.set(slot, m[4]!);
        sigs.set(slot, m[5]!);
        lastPrinted = [BigInt(m[1]!), Number(m[2]), Number(m[3])];
      }
      // Whatever was printed had been persisted first: the state on disk is not behind it.
      const st = JSON.parse(readFileSync(join(home, 'data', 'priv_validator_state.json'), 'utf8'));
      const onDisk: [bigint, number, number] = [BigInt(st.height), st.round, st.step];
      expect(compareHRS(onDisk, lastPrinted)).toBeGreaterThanOrEqual(0);
    }
    const pv = FilePV.load({
      keyFile: join(home, 'config', 'priv_validator_key.json'),
      stateFile: join(home, 'data', 'priv_validator_state.json'),
    });
    for (const [slot, bytes] of bySlot) {
      expect(verifySignature(pv.pubKey, hexToBytes(bytes), hexToBytes(sigs.get(slot)!))).toBe(true);
    }
    // Every restart from a non-empty sign state re-asks for the last HRS with conflicting data.
    expect(refused).toBe(resumed);
    expect(resumed).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(RUNS);
  });
});
