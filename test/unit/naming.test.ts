import { describe, expect, it } from 'vitest';
import { exportedName, fileStem, packageName, unexportedName } from '../../src/render/go/naming.js';
import { plural, singular, words } from '../../src/model/names.js';

describe('Go identifiers', () => {
  it.each([
    ['created_at', 'CreatedAt'],
    ['user_id', 'UserID'],
    ['userId', 'UserID'],
    ['userIDs', 'UserIDs'],
    ['api-url', 'APIURL'],
    ['HTTPServer', 'HTTPServer'],
    ['http_server', 'HTTPServer'],
    ['2fa-code', 'X2faCode'],
    ['type', 'Type'],
    ['$ref', 'Ref'],
    ['', 'X'],
    ['__', 'X'],
    ['sku', 'SKU'],
    ['x-rate-limit', 'XRateLimit'],
  ])('exportedName(%j) = %s', (input, want) => {
    expect(exportedName(input)).toBe(want);
  });

  it.each([
    ['CreatedAt', 'createdAt'],
    ['ID', 'id'],
    ['user_id', 'userID'],
    ['type', 'typ'],
    ['func', 'funcValue'],
    ['string', 'stringValue'],
    ['len', 'lenValue'],
    ['2fa', 'x2fa'],
    ['page_size', 'pageSize'],
  ])('unexportedName(%j) = %s', (input, want) => {
    expect(unexportedName(input)).toBe(want);
  });

  it.each([
    ['product', 'product'],
    ['order-service', 'orderservice'],
    ['type', 'typ'],
  ])('packageName(%j) = %s', (input, want) => {
    expect(packageName(input)).toBe(want);
  });

  it('file stems are snake case', () => {
    expect(fileStem('ProductInput')).toBe('product_input');
    expect(fileStem('listProducts')).toBe('list_products');
  });
});

describe('neutral names', () => {
  it.each([
    ['createdAt', ['created', 'at']],
    ['HTTPServer2', ['http', 'server2']],
    ['v1.2-beta', ['v1', '2', 'beta']],
  ])('words(%j)', (input, want) => {
    expect(words(input)).toEqual(want);
  });

  it.each([
    ['product', 'products'],
    ['category', 'categories'],
    ['box', 'boxes'],
    ['key', 'keys'],
    ['shelf', 'shelves'],
    ['Shelf', 'Shelves'],
    ['KNIFE', 'KNIVES'],
    ['archive', 'archives'],
    ['drive', 'drives'],
  ])('plural(%s) = %s and back', (one, many) => {
    expect(plural(one)).toBe(many);
    expect(singular(many)).toBe(one);
  });
});
