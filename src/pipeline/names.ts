import { UserError } from '../errors.js';
import { isGoKeyword, isPredeclared } from '../render/go/naming.js';

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Checks a service name: lower-case letters, digits and single dashes, starting with a letter. */
export function checkServiceName(name: string): void {
  if (name.trim() === '') throw new UserError('the service name is empty: give one like `product` or `order-service`');
  if (!NAME.test(name)) {
    throw new UserError(
      `invalid service name "${name}": use lower-case letters, digits and single dashes, starting with a letter (e.g. product, order-service)`,
    );
  }
  if (name.length > 50) throw new UserError(`invalid service name "${name}": at most 50 characters`);
  if (isGoKeyword(name)) throw new UserError(`invalid service name "${name}": it is a Go keyword`);
  if (isPredeclared(name)) throw new UserError(`invalid service name "${name}": it is a predeclared Go identifier`);
}

const MODULE_ELEM = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;

/** Checks a Go module path the way `go mod init` would reject it. */
export function checkModulePath(module: string): void {
  const bad = (why: string) => new UserError(`invalid Go module path "${module}": ${why}`);
  if (module === '') throw bad('it is empty');
  if (module.startsWith('/') || module.endsWith('/')) throw bad('it must not start or end with a slash');
  for (const elem of module.split('/')) {
    if (elem === '' || elem === '.' || elem === '..') throw bad('it has an empty, "." or ".." element');
    if (!MODULE_ELEM.test(elem) || elem.endsWith('.')) throw bad(`"${elem}" is not a valid path element`);
  }
}
