// The versions generated services are built and checked with: the one source
// of truth for each. This module imports nothing, so `svc --version` can print
// them without loading the generator.

/** The `go` directive of every generated go.mod (Go 1.22 or newer builds the services). */
export const GO_VERSION = '1.22';

/** The protoc plugins proto services are generated with (`svc doctor --install`, scripts/setup.sh). */
export const PROTOC_GEN_GO_VERSION = 'v1.36.6';
export const PROTOC_GEN_GO_GRPC_VERSION = 'v1.5.1';

/**
 * The golangci-lint release the generated .golangci.yml is written for: the
 * one svc's own tests lint generated services with (scripts/setup.sh installs
 * the same) and the platform's CI workflow runs.
 */
export const GOLANGCI_LINT_VERSION = 'v2.15.0';
