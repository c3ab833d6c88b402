/**
 * Crash-safe file writes (CometBFT's libs/tempfile.WriteFileAtomic): write a temporary file
 * in the same directory, fsync it, rename it over the target, then fsync the directory so the
 * rename itself survives a power loss. A reader sees either the old or the new content, never
 * a torn mix.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A missing, unreadable or malformed node file; the message names the file and the problem. */
export class NodeFileError extends Error {
  override readonly name = 'NodeFileError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** fsync a directory so that a rename or create inside it is durable. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `path` atomically and durably (see the module comment). */
export function writeFileAtomicSync(path: string, data: Uint8Array | string, mode = 0o600): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = openSync(tmp, 'wx', mode);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {}
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dir);
}

/** Creates a directory (and parents) with the given mode if it does not exist. */
export function ensureDir(dir: string, mode = 0o700): void {
  mkdirSync(dir, { recursive: true, mode });
}

export function fileExists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Reads a JSON file, turning a missing file or bad JSON into a NodeFileError. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NodeFileError(
      path,
      code === 'ENOENT' ? `${what} file not found` : `cannot read ${what}: ${(e as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new NodeFileError(path, `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** JSON with two-space indentation, as CometBFT's cmtjson.MarshalIndent writes its files. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
