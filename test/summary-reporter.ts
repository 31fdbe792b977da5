/**
 * Ends the run with one plain line, 'N passed, N failed, N skipped', that any CI log reader
 * understands, and names each skipped test so a skip is never mistaken for a pass, and each
 * failure. A suite or file whose setup or teardown failed (or that could not even load) counts
 * as a failure of its own: vitest marks the tests of a suite whose beforeAll threw as skipped,
 * and a failing afterAll leaves its tests passed, so counting tests alone would hide both.
 * Tests that never ran because their suite's setup failed are not counted as skipped: the
 * suite's failure line says how many there were. Errors outside any test count too.
 */
import type { Reporter, SerializedError, TestCase, TestModule, TestSuite } from 'vitest/node';

function label(entity: TestCase | TestSuite | TestModule): string {
  const project = entity.project.name ? `${entity.project.name}: ` : '';
  const module = entity.type === 'module' ? entity : entity.module;
  return entity.type === 'module' ? `${project}${module.relativeModuleId}` : `${project}${module.relativeModuleId} > ${entity.fullName}`;
}

function firstLine(errors: readonly SerializedError[]): string {
  return (errors[0]?.message ?? '').split('\n')[0];
}

/** Whether the test sits in a suite or file that failed on its own (setup, teardown, loading). */
function inFailedScope(test: TestCase): boolean {
  for (let scope: TestSuite | TestModule = test.parent; ; scope = scope.parent) {
    if (scope.errors().length > 0) return true;
    if (scope.type === 'module') return false;
  }
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    const failed: string[] = [];
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const scope of [module, ...module.children.allSuites()]) {
        if (scope.errors().length === 0) continue;
        const notRun = [...scope.children.allTests()].filter((t) => t.result().state === 'skipped').length;
        failed.push(`${label(scope)}: ${firstLine(scope.errors())}${notRun > 0 ? ` (${notRun} tests did not run)` : ''}`);
      }
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed.push(label(test));
        else if (!inFailedScope(test)) skipped.push(label(test));
      }
    }
    for (const error of unhandledErrors) failed.push(`unhandled error: ${firstLine([error])}`);
    // Sorted: files finish in any order, and a summary that reads the same each run is easier to compare.
    for (const name of skipped.sort()) process.stdout.write(`skipped: ${name}\n`);
    for (const name of failed.sort()) process.stdout.write(`failed: ${name}\n`);
    process.stdout.write(`\n${passed} passed, ${failed.length} failed, ${skipped.length} skipped\n`);
  }
}
