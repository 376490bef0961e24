import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { captureStreams } from '../support/streams.js';

/**
 * What `svc new` writes for a name other than the seed's `product`: the
 * starter contract's prose and examples follow the name (no espresso cups in
 * an order service), and the README says why an OpenAPI service's contract
 * sits in `<name>proto/`.
 */

async function newService(name: string, args: string[] = []) {
  const fs = new MemoryFileSystem();
  const io = captureStreams();
  const code = await main(['new', name, '--yes', '--skip-tidy', ...args], { cwd: '/work', stdout: io.stdout, stderr: io.stderr, interactive: false, fsFor: () => fs });
  return { code, fs, ...io.text };
}

/** Words of the seed's product catalogue that have no place in another service's contract. */
const PRODUCT_PROSE = /espresso|porcelain|kitchen|catalogue|be ordered|no longer sold|product/i;

describe('the starter contract of a service not named product', () => {
  it.each([
    ['order', ['--dir', '/work/order'], 'orderproto/openapi/order.yaml'],
    ['user-service', ['--dir', '/work/user'], 'userserviceproto/openapi/user-service.yaml'],
    ['order', ['--dir', '/work/order', '--proto'], 'orderproto/order.proto'],
  ])('svc new %s %s: neutral prose, examples derived from the name', async (name, args, contract) => {
    const r = await newService(name, args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = r.fs.files.get(contract);
    expect(text, `${contract} among ${[...r.fs.files.keys()].filter((p) => p.includes('proto/')).join(', ')}`).toBeDefined();
    const resource = name === 'order' ? 'order' : 'user';
    expect(text!).not.toMatch(PRODUCT_PROSE);
    expect(text!).toContain(`A ${resource}, as the ${name} service stores it.`);
    if (!contract.endsWith('.proto')) expect(text!).toContain(`name: First ${resource}\n`);
  });
});

describe("the README of an OpenAPI service", () => {
  it('says why its contract is in <name>proto/', async () => {
    const r = await newService('order', ['--dir', '/work/order']);
    expect(r.code).toBe(0);
    const readme = r.fs.files.get('README.md')!;
    expect(readme).toMatch(/The contract lives in `orderproto\/` although this service has no protobuf:\nevery service keeps its contracts in one folder named after it, `<name>proto\/`/);
  });

  it('a proto service does not need the explanation', async () => {
    const r = await newService('order', ['--dir', '/work/order', '--proto']);
    expect(r.code).toBe(0);
    expect(r.fs.files.get('README.md')!).not.toMatch(/although this service has no protobuf/);
  });
});
