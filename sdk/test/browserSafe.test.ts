// The SDK must bundle for browsers: no source file outside tests may import a Node built-in.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../src', import.meta.url));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
function importsOf(code: string): string[] {
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
  return [...code.matchAll(re)].map((m) => m[1] ?? '');
}

describe('sdk/src is browser-safe', () => {
  it('finds the sources it checks', () => {
    const files = sourceFiles(srcDir).map((f) => relative(srcDir, f));
    expect(files).toContain('address.ts');
    expect(files).toContain('generated/hearth/market/v1/tx.ts');
  });

  it('the import scanner sees Node built-ins', () => {
    expect(
      importsOf('import { x } from \'node:crypto\';\nimport y from "fs";').filter((s) => builtins.has(s)),
    ).toEqual(['node:crypto', 'fs']);
  });

  it('imports no Node built-in outside tests', () => {
    const offenders = sourceFiles(srcDir).flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((s) => builtins.has(s))
        .map((s) => `${relative(srcDir, file)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
