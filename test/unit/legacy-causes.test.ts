/**
 * Schema migration 3: rows recorded before causes existed get theirs derived once from their
 * stored messages, in the wording the sandbox used until then.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { FailureCategory } from '../../src/evaluation/failure.js';
import { legacyCause } from '../../src/store/legacy-causes.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { DATABASE_FILE, SqliteStore } from '../../src/store/sqlite-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('legacyCause: the wording used before causes', () => {
  it.each<[FailureCategory, string, string | null]>([
    ['syntax_errors', 'SyntaxError: invalid syntax', 'exception:SyntaxError'],
    ['syntax_errors', 'source is 70000 bytes; the limit is 65536 bytes', 'source_too_large'],
    [
      'syntax_errors',
      'the parser gave up on this source (RecursionError: too deep): reduce the nesting depth',
      'parser_gave_up:RecursionError',
    ],
    [
      'forbidden_imports',
      "import of 'os.path' is not allowed; allowed modules: numpy",
      'module:os',
    ],
    ['forbidden_imports', "'numpy.load' does file or code loading", 'module_attribute:numpy.load'],
    ['forbidden_imports', "'from numpy import *' is not allowed", 'star_import:numpy'],
    ['forbidden_imports', 'relative imports are not allowed', 'relative_import'],
    ['forbidden_calls', "use of builtin 'eval' is not allowed", 'call:eval'],
    ['forbidden_calls', "attribute '__globals__' is not allowed: ...", 'attribute:__globals__'],
    ['forbidden_calls', "'numpy.load' does file or code loading", 'module_attribute:numpy.load'],
    [
      'missing_function',
      'define a top-level function compress_video_frame(frame, config)',
      'missing:compress_video_frame',
    ],
    [
      'missing_function',
      'decompress_video_frame must accept exactly 3 positional',
      'signature:decompress_video_frame',
    ],
    [
      'return_format_error',
      'compress_video_frame returned ndarray for frame 0; return',
      'returned:ndarray',
    ],
    [
      'return_format_error',
      "compress_video_frame's dict for frame 0 lacks 'compressed', 'metadata'; return {}",
      'missing_key:compressed,metadata',
    ],
    [
      'return_format_error',
      "'compressed' for frame 1 is str; it must be bytes",
      'compressed_type:str',
    ],
    [
      'return_format_error',
      "the codec's output passed 10 bytes, the cap for this clip",
      'over_cap',
    ],
    [
      'decode_mismatch',
      'decompress_video_frame returned dtype float64 shape (2, 2, 3) for frame 0',
      'decoded_shape:float64',
    ],
    ['runtime_errors', 'ZeroDivisionError: division by zero', 'exception:ZeroDivisionError'],
    ['runtime_errors', 'something odd', 'exception:Exception'],
    ['timeouts', 'the codec ran past the deadline of 5.0 s and was killed', 'limit:timeout'],
    ['memory_exceeded', 'MemoryError raised', 'limit:memory'],
    ['crashes', 'the codec died on signal SIGSEGV', 'signal:SIGSEGV'],
    ['crashes', 'the codec exited on its own (exit status 3) before finishing', 'exited'],
    ['crashes', 'a sentence never written', null],
    ['sandbox_error', 'the validator returned no readable report', 'no_report'],
  ])('%s: %s', (category, message, key) => {
    expect(legacyCause(category, message)?.key ?? null).toBe(key);
  });

  it('a generation failure is its own cause', () => {
    expect(legacyCause('other', 'no code', 'no_code_block')).toEqual({
      key: 'generation:no_code_block',
      subject: { kind: 'no_code_block' },
    });
  });
});

describe('migration 3', () => {
  it('derives the causes of rows and findings written by schema 2, once', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'codec-lab-legacy-'));
    dirs.push(dataDir);
    const db = new Database(join(dataDir, DATABASE_FILE));
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT');
    for (const [index, migration] of MIGRATIONS.slice(0, 2).entries()) {
      if (typeof migration !== 'string') throw new Error('migrations 1 and 2 are SQL');
      db.exec(migration);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(index + 1);
    }
    const insert = db.prepare(`
      INSERT INTO attempts (id, created_at, recorded_at, code, code_sha256, generator, model,
        raw_response, stage, category, ok, failure_message, findings_json, log, input_tokens,
        output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, generation_ms,
        evaluation_ms)
      VALUES (?, 1, 1, '', '', 'g', 'm', '', ?, ?, ?, ?, ?, '', 0, 0, 0, 0, 0, 0, 0)`);
    const findings = [
      {
        category: 'forbidden_imports',
        message: "import of 'os' is not allowed",
        line: 1,
        excerpt: '',
      },
      {
        category: 'missing_function',
        message: 'define a top-level function decompress_video_frame(a)',
        line: null,
        excerpt: '',
      },
    ];
    insert.run(
      1,
      'validate',
      'forbidden_imports',
      0,
      findings[0]?.message,
      JSON.stringify(findings),
    );
    insert.run(2, 'smoke', 'runtime_errors', 0, "KeyError: 'q'", '[]');
    insert.run(3, 'done', null, 1, null, '[]');
    db.close();

    const store = SqliteStore.openReadOnly({ dataDir });
    const validation = store.attempt('1');
    expect(validation?.failureCause?.key).toBe('module:os');
    expect(validation?.findings.map((finding) => finding.cause?.key)).toEqual([
      'module:os',
      'missing:decompress_video_frame',
    ]);
    expect(store.attempt('2')?.failureCause).toEqual({
      key: 'exception:KeyError',
      subject: { exception: 'KeyError' },
    });
    expect(store.attempt('3')?.failureCause).toBeNull();
    store.close();
  });
});
