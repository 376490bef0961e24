import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/build/index.js';
import { loadContract } from '../../src/load/index.js';
import type { ServiceModel } from '../../src/model/types.js';
import { starterProto } from '../../src/pipeline/new.js';
import { renderService, type ServiceSettings } from '../../src/render/index.js';
import { schemaOf } from '../../src/render/sql/schema.js';

const settings = (name: string, database: 'sql' | 'memory' = 'sql'): ServiceSettings => ({
  name,
  module: `example.com/${name}`,
  contract: `${name}proto/${name}.proto`,
  contractKind: 'proto',
  database,
  transports: ['http', 'grpc'],
});

async function starter(): Promise<ServiceModel> {
  return buildModel(await loadContract('/virtual/product.proto', 'proto', starterProto('product', 'example.com/product'), 'product.proto'), 'product');
}

async function library(): Promise<ServiceModel> {
  const root = resolve('fixtures/library/proto');
  return buildModel(await loadContract(resolve(root, 'library/v1/library.proto'), 'proto', undefined, undefined, [root]), 'library');
}

describe('the data layer of a proto service', () => {
  it('stubs of standard methods call their generated helper; every stub states its operation facts', async () => {
    const files = new Map(renderService(await library(), settings('library')).map((a) => [a.path, a]));
    const get = files.get('internal/service/library_service_get_book.go')!;
    expect(get.owner).toBe('user');
    expect(get.content).toContain('func (s *LibraryServiceServer) GetBook(ctx context.Context, req *librarypb.GetBookRequest) (*librarypb.Book, error) {\n\treturn s.getBook(ctx, req)\n}');
    expect(get.operation).toEqual({
      method: 'GetBook',
      receiver: 'LibraryServiceServer',
      identity: 'rpc library.v1.LibraryService (library.v1.GetBookRequest) returns (library.v1.Book)',
      derived: [],
    });
    // A custom method is the user's to write: it answers Unimplemented, with its facts all the same.
    const move = files.get('internal/service/library_service_move_book.go')!;
    expect(move.content).toContain('codes.Unimplemented');
    expect(move.operation?.identity).toBe('rpc library.v1.LibraryService (library.v1.MoveBookRequest) returns (library.v1.Book)');
    const chat = files.get('internal/service/event_service_chat.go')!;
    expect(chat.operation).toMatchObject({ method: 'Chat', receiver: 'EventServiceServer', identity: 'rpc library.v1.EventService (library.v1.ChatMessage) returns (library.v1.ChatMessage)' });

    const helpers = files.get('internal/service/book_store.gen.go')!.content;
    expect(helpers).toContain('key, err := newName(req.GetParent(), "books", req.GetBookId())');
    expect(helpers).toContain('s.repos.Books.List(ctx, childrenOf(req.GetParent()), repository.Page{Size: int(req.GetPageSize()), Token: req.GetPageToken()})');
    expect(helpers).toContain('applyUpdate(book, req.GetBook(), req.GetUpdateMask().GetPaths(), "name")');
    expect(files.get('internal/service/shelf_store.gen.go')!.content).toContain('clearFields(shelf, "create_time")');
    expect(files.get('cmd/library/wire.go')!.content).toContain('Books:   repository.NewSQLBookRepository(db),');
  });

  it('stores each resource as its key and its encoded message, in memory when svc.yaml says so', async () => {
    const m = await starter();
    expect(schemaOf(m)).toEqual([
      {
        name: 'products',
        resource: 'Product',
        columns: [
          { name: 'name', type: 'text', notNull: true, primaryKey: true, field: 'name' },
          { name: 'data', type: 'bytes', notNull: true, primaryKey: false },
        ],
      },
    ]);
    const files = new Map(renderService(m, settings('product', 'memory')).map((a) => [a.path, a.content]));
    expect(files.get('cmd/product/wire.go')).toContain('Products: repository.NewMemoryProductRepository(),');
    expect(files.has('internal/repository/messages_sql.gen.go')).toBe(false);
    expect(files.get('internal/service/repositories.gen.go')).toContain('Products repository.ProductRepository');
  });
});
