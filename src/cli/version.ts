import { SVC_VERSION } from '../project/version.js';
import { GO_VERSION, GOLANGCI_LINT_VERSION, PROTOC_GEN_GO_GRPC_VERSION, PROTOC_GEN_GO_VERSION } from '../tools/pins.js';

// `svc --version`: the package version alone on the first line (so
// `svc --version | head -1` is what scripts compare), then what the services it
// generates are pinned to. It loads only those two small modules, so it starts fast.

/** What `svc --version` prints, without its final newline. */
export function versionText(version: string = SVC_VERSION): string {
  const pins: [string, string, string][] = [
    ['go', GO_VERSION, 'the go directive of generated go.mod files'],
    ['protoc-gen-go', PROTOC_GEN_GO_VERSION, 'proto services; svc doctor --install'],
    ['protoc-gen-go-grpc', PROTOC_GEN_GO_GRPC_VERSION, 'proto services; svc doctor --install'],
    ['golangci-lint', GOLANGCI_LINT_VERSION, 'the .golangci.yml and CI workflow it writes'],
  ];
  const width = Math.max(...pins.map(([name]) => name.length)) + 2;
  const vwidth = Math.max(...pins.map(([, v]) => v.length)) + 2;
  return [
    version,
    'generates services for:',
    ...pins.map(([name, v, why]) => `  ${name.padEnd(width)}${v.padEnd(vwidth)}(${why})`),
    `running on node ${process.version}`,
  ].join('\n');
}
