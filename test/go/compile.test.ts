import { afterAll, describe, expect, it } from 'vitest';
import { fixtureCases, fixtureOptions } from '../../src/devtools/fixtures.js';
import { DistinctPackages, generateFixtureOnDisk, go, gofmtList, golangciLint, lint, servicePackages } from '../support/go.js';

const LINTER = golangciLint();
if (!LINTER && process.env.CI === 'true') throw new Error('CI: golangci-lint is not installed (scripts/setup.sh installs it when CI=true)');
if (!LINTER) console.warn('golangci-lint not found: the lint checks are skipped (SVC_LINT=1 bash scripts/setup.sh installs it)');

/**
 * Every fixture renders the same runtime packages (logging, middleware,
 * event, database, ...): each distinct one is vetted, linted and tested once
 * per run, in the first fixture (in this file's order) where its code, with
 * everything its tests link, appears; the packages made from each contract
 * in every fixture. Each fixture still builds whole.
 */
const distinct = new DistinctPackages();
afterAll(() => console.log(`compile tests: ${distinct.summary()}`));

/**
 * The bar for generated code: for every fixture, a real Go toolchain accepts
 * the service — gofmt prints nothing, vet and build pass, and the service's
 * own tests pass, and golangci-lint v2 with the service's own .golangci.yml
 * reports nothing.
 */
describe.each(fixtureCases())('fixture %s with real go', (caseName) => {
  let dir = '';
  /** The packages this fixture checks (vet, lint, go test): not those an earlier fixture checked. */
  let packages: string[] = [];

  it('generates and resolves its modules (go mod tidy)', { timeout: 300_000 }, async () => {
    dir = await generateFixtureOnDisk(caseName);
    await go(dir, 'mod', 'tidy');
    const { check, skipped } = distinct.take(caseName, await servicePackages(dir));
    packages = check;
    console.log(
      `${caseName}: checks ${check.length} packages; skips ${skipped.length} checked already: ` +
        (skipped.map((s) => `${s.path} (${s.checkedIn})`).join(', ') || 'none'),
    );
  });

  it('is gofmt-clean', async () => {
    expect(await gofmtList(dir)).toBe('');
  });

  it('passes go vet', { timeout: 300_000 }, async () => {
    await go(dir, 'vet', ...packages);
  });

  it('builds', { timeout: 300_000 }, async () => {
    await go(dir, 'build', './...');
  });

  it.skipIf(!LINTER)('golangci-lint reports nothing', { timeout: 600_000 }, async () => {
    expect(await lint(LINTER!, dir, packages)).toBe('');
  });

  it("passes its own tests (go test -race)", { timeout: 600_000 }, async () => {
    const out = await go(dir, 'test', '-race', '-count=1', ...packages);
    // OpenAPI services test their handlers; proto services their servers over gRPC and REST.
    expect(out).toMatch(fixtureOptions(caseName).proto === undefined ? /^ok\s+\S+\/internal\/handler/m : /^ok\s+\S+\/cmd\/\S+/m);
    expect(out).not.toMatch(/^FAIL/m);
  });
});
