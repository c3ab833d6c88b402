// `pnpm proto:check` must fail when sdk/src/generated does not match what proto/ generates.
// These run the real script (buf lint + buf generate + compare, about half a second each).
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../proto/scripts/gen.mjs', import.meta.url));
const generated = fileURLToPath(new URL('../src/generated', import.meta.url));

function runCheck(dir?: string) {
  const args = [script, 'check', ...(dir ? ['--generated', dir] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('proto:check', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hearth-sdk-protocheck-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('passes on the committed generated code', () => {
    const r = runCheck();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/is up to date/);
  });

  it('fails and lists changed, missing and leftover files', () => {
    const copy = join(tmp, 'generated');
    cpSync(generated, copy, { recursive: true });
    appendFileSync(join(copy, 'hearth', 'market', 'v1', 'tx.ts'), '// hand edit\n');
    rmSync(join(copy, 'hearth', 'escrow', 'v1', 'params.ts'));
    writeFileSync(join(copy, 'hearth', 'old.ts'), 'export {};\n');

    const r = runCheck(copy);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is stale; run `pnpm proto:gen`/);
    expect(r.stderr).toContain('changed: hearth/market/v1/tx.ts');
    expect(r.stderr).toContain('missing: hearth/escrow/v1/params.ts');
    expect(r.stderr).toContain('not generated any more: hearth/old.ts');
    expect(r.stderr).not.toContain('provider');
  });
});
