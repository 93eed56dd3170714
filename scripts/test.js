#!/usr/bin/env node
// The test command (`npm test`): format → lint → typecheck → unit → integration, in that
// order, each tier run even if an earlier one failed, then one closing line
// "N passed, N failed, N skipped" summing every tier (each static check counts as one test).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';

const only = process.argv.slice(2);
const wanted = (name) => only.length === 0 || only.includes(name);
const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  return result.status === 0;
}

function check(name, command, args, tier = name) {
  if (!wanted(name) && !wanted(tier)) return;
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const ok = run(command, args);
  totals[ok ? 'passed' : 'failed'] += 1;
  lines.push(`${name}: ${ok ? 'ok' : 'FAILED'}`);
}

function vitest(project) {
  if (!wanted(project)) return;
  const report = `test-results/${project}.json`;
  rmSync(report, { force: true });
  console.log(`\n=== ${project} tests`);
  const ok = run('npx', [
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  let counts;
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    counts = {
      passed: json.numPassedTests,
      failed: json.numFailedTests + (ok || json.numFailedTests > 0 ? 0 : 1),
      skipped: json.numPendingTests + json.numTodoTests,
    };
  } catch {
    // No report: the runner itself failed before running anything; that is one failure.
    counts = { passed: 0, failed: 1, skipped: 0 };
  }
  for (const key of Object.keys(totals)) totals[key] += counts[key];
  lines.push(
    `${project}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`,
  );
}

function pythonFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((name) => name.endsWith('.py'))
    .sort()
    .map((name) => `${dir}/${name}`);
}

mkdirSync('test-results', { recursive: true });
check('format', 'npx', ['prettier', '--check', '.']);
check('lint', 'npx', ['eslint', '.']);
// The Python the project writes itself; test/hostile/ is deliberately bad code and is left out.
check(
  'pyflakes',
  'pyflakes3',
  [...pythonFiles('assets'), ...pythonFiles('sandbox-image/harness')],
  'lint',
);
check('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
vitest('unit');
vitest('integration');

console.log('\n=== summary');
for (const line of lines) console.log(line);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed > 0 ? 1 : 0;
