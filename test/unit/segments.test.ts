import { describe, expect, it } from 'vitest';
import { muxPattern, segmentRoutes } from '../../src/render/go/segments.js';

describe('muxPattern', () => {
  it('keeps whole-segment wildcards and anchors a trailing slash', () => {
    expect(muxPattern('/products/{id}')).toBe('/products/{id}');
    expect(muxPattern('/products/{product-id}/reviews')).toBe('/products/{productID}/reviews');
    expect(muxPattern('/products/')).toBe('/products/{$}');
    expect(muxPattern('/')).toBe('/{$}');
  });

  it('turns a segment with text around its parameters into one whole-segment wildcard', () => {
    expect(muxPattern('/orders/{id}:approve')).toBe('/orders/{id}');
    expect(muxPattern('/files/{name}.json')).toBe('/files/{name}');
    expect(muxPattern('/reports/{year}-{month}.csv/{id}')).toBe('/reports/{year}/{id}');
    expect(muxPattern('/v{version}/items')).toBe('/{version}/items');
  });
});

describe('segmentRoutes', () => {
  it('gives a plain path no segments', () => {
    expect(segmentRoutes([{ method: 'GET', path: '/orders/{id}' }])).toEqual([{ pattern: '/orders/{id}', segments: [] }]);
  });

  it('carries the parts of each segment with parameters inside', () => {
    expect(segmentRoutes([{ method: 'GET', path: '/reports/{year}-{month}.csv/{id}' }])).toEqual([
      { pattern: '/reports/{year}/{id}', segments: [{ wildcard: 'year', parts: ['', 'year', '-', 'month', '.csv'] }] },
    ]);
  });

  it('gives operations of one method and shape one pattern, named after the plain path', () => {
    const routes = segmentRoutes([
      { method: 'POST', path: '/orders/{id}:approve' },
      { method: 'POST', path: '/orders/{orderId}:cancel' },
      { method: 'POST', path: '/orders/{orderId}' },
      { method: 'GET', path: '/orders/{key}' },
    ]);
    expect(routes).toEqual([
      { pattern: '/orders/{orderID}', segments: [{ wildcard: 'orderID', parts: ['', 'id', ':approve'] }] },
      { pattern: '/orders/{orderID}', segments: [{ wildcard: 'orderID', parts: ['', 'orderID', ':cancel'] }] },
      { pattern: '/orders/{orderID}', segments: [] },
      // Another method: its own pattern, as ServeMux allows.
      { pattern: '/orders/{key}', segments: [] },
    ]);
  });

  it('names the shared pattern after the first path when none is plain, and renames whole wildcards that differ', () => {
    const routes = segmentRoutes([
      { method: 'GET', path: '/files/{name}.json/{rev}' },
      { method: 'GET', path: '/files/{file}.yaml/{version}' },
    ]);
    expect(routes).toEqual([
      { pattern: '/files/{name}/{rev}', segments: [{ wildcard: 'name', parts: ['', 'name', '.json'] }] },
      {
        pattern: '/files/{name}/{rev}',
        segments: [
          { wildcard: 'name', parts: ['', 'file', '.yaml'] },
          { wildcard: 'rev', parts: ['', 'version', ''] },
        ],
      },
    ]);
  });

  it('keeps literal segments apart from wildcards', () => {
    const routes = segmentRoutes([
      { method: 'POST', path: '/orders/{id}:approve' },
      { method: 'POST', path: '/orders/batch' },
    ]);
    expect(routes.map((r) => r.pattern)).toEqual(['/orders/{id}', '/orders/batch']);
  });

  it('refuses two parameters with no text between them', () => {
    expect(() => segmentRoutes([{ method: 'GET', path: '/a/{x}{y}' }])).toThrow(/literal text between them/);
  });
});
