import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { newService } from '../../src/pipeline/new.js';
import type { Transport } from '../../src/project/settings.js';
import { GO_DEPENDENCIES, GRPC_GO_DEPENDENCIES, goRequires } from '../../src/render/project.js';
import { GRPC_PORT, HTTP_PORT, servicePorts } from '../../src/render/runtime.js';

async function render(transports: Transport[]): Promise<Map<string, string>> {
  const fs = new MemoryFileSystem();
  await newService({ name: 'product', module: 'example.com/product', dir: '/virtual/product', fs, transports, database: 'sql' });
  return fs.files;
}

describe('the gRPC runtime', () => {
  it('adds the gRPC port after the HTTP one only with the grpc transport', () => {
    expect(servicePorts(['http'])).toEqual([HTTP_PORT]);
    expect(servicePorts(['http', 'grpc'])).toEqual([HTTP_PORT, GRPC_PORT]);
    expect(GRPC_PORT).toMatchObject({ containerPort: 9090, servicePort: 9090, configKey: 'grpc.addr', appProtocol: 'grpc' });
  });

  it('requires the gRPC modules only with grpc, keeping go.mod sorted', () => {
    expect(goRequires(false)).toEqual(Object.entries(GO_DEPENDENCIES).map(([path, version]) => ({ path, version })));
    const withGrpc = goRequires(true).map((r) => r.path);
    expect(withGrpc).toEqual([...withGrpc].sort());
    for (const path of Object.keys(GRPC_GO_DEPENDENCIES)) expect(withGrpc).toContain(path);
  });

  it('renders no gRPC file without grpc', async () => {
    const files = await render(['http']);
    const paths = [...files.keys()];
    expect(paths.filter((p) => p.includes('grpc') || p.startsWith('internal/interceptor/'))).toEqual([]);
    expect(files.get('go.mod')).not.toContain('google.golang.org/grpc');
    expect(files.get('cmd/product/main.go')).not.toContain('grpc');
  });

  it('with grpc, serves both and exposes the gRPC port in config, image and manifests', async () => {
    const files = await render(['http', 'grpc']);
    for (const p of [
      'internal/config/grpc.go',
      'internal/interceptor/validate.go',
      'internal/server/grpc.go',
      'internal/server/rungrpc.go',
      'internal/problem/status.go',
      'internal/health/grpc.go',
      'internal/metrics/grpc.go',
    ]) {
      expect(files.has(p), p).toBe(true);
    }
    expect(files.get('go.mod')).toContain('google.golang.org/grpc v');
    const main = files.get('cmd/product/main.go')!;
    expect(main).toContain('routes, registerGRPC, err := newAPI(cfg, log, events.publisher, db)');
    expect(main).toContain('server.RunGRPC(');
    expect(parse(files.get('configs/config.yaml')!).grpc).toMatchObject({ addr: ':9090', reflection: false });
    expect(files.get('Dockerfile')).toMatch(/^EXPOSE 9090$/m);

    const docs = (path: string) => parseAllDocuments(files.get(path)!).map((d) => d.toJS());
    const [deployment] = docs('deployments/base/deployment.yaml');
    const container = deployment.spec.template.spec.containers[0];
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'grpc', containerPort: 9090, protocol: 'TCP' },
      { name: 'admin', containerPort: 9091, protocol: 'TCP' },
    ]);
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    const [service] = docs('deployments/base/service.yaml');
    expect(service.spec.ports).toContainEqual({ name: 'grpc', port: 9090, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' });
  });
});
