import type { Artifact } from '../artifact.js';
import { isShared, localImportPrefix, runtimeImport, type RuntimePlacement } from '../runtimepkgs.js';
import { GoFile } from './gofile.js';

/**
 * The service's own package auth (`internal/auth`) holds what its contract
 * says of security: the scheme table and verifier interfaces, each
 * operation's requirements, the user's custom.go. In a single service the
 * auth runtime (Guard, JWT, API keys, ...) is the same package; in a
 * platform the runtime lives once in shared/pkg/auth, and the service's
 * package re-exports its API (`runtime.gen.go`), so the generated code and
 * the user's read alike in both.
 */
export const SERVICE_AUTH_DIR = 'internal/auth';

/**
 * The exported API of the auth runtime (templates/service/internal/auth),
 * by kind. test/unit/authruntime.test.ts keeps it in step with the templates.
 */
export const AUTH_RUNTIME_API = {
  types: [
    'APIKeys', 'AuthenticateFunc', 'BasicUsers', 'Credentials', 'Error', 'FailureCounter', 'Guard', 'JWT', 'JWTConfig', 'JWTSettings',
    'KeyFileConfig', 'KeyVerifier', 'Kind', 'PasswordVerifier', 'Principal', 'RejectAll', 'Requirement', 'Requirements', 'Scheme',
    'SchemeScopes', 'SecretFunc', 'Secrets', 'TokenVerifier',
  ],
  consts: [
    'DefaultFetchTimeout', 'DefaultJWKSRefetchInterval', 'DefaultJWKSRefresh', 'KindAPIKey', 'KindBasic', 'KindBearer', 'KindCustom',
    'KindOAuth2', 'KindOpenIDConnect', 'ReasonInsufficientScope', 'ReasonInvalid', 'ReasonMissing', 'ReasonUnavailable',
  ],
  vars: ['ErrInvalid', 'ErrNoCredentials', 'ErrNoKeySource', 'ErrSecretNotSet', 'ErrUnavailable'],
  funcs: [
    'APIKey', 'AuthorizationValue', 'Basic', 'BasicCredentials', 'Bearer', 'BearerToken', 'Custom', 'DefaultAPIKeys', 'DefaultBasicUsers',
    'DefaultJWT', 'FromContext', 'HTTPCredentials', 'HashKey', 'JWTSettingsOf', 'Key', 'NewAPIKeys', 'NewBasicUsers', 'NewGuard', 'NewJWT',
    'WithPrincipal',
  ],
  /** Only in a runtime rendered with gRPC. */
  grpcFuncs: ['MetadataCredentials'],
} as const;

/** The service's package auth, which holds its contract's security (and, in a single service, the runtime). */
export function serviceAuthImport(where: RuntimePlacement): string {
  return `${where.module}/${SERVICE_AUTH_DIR}`;
}

/**
 * `internal/auth/runtime.gen.go` of a platform service: the shared auth
 * runtime's API, re-exported. None for a single service, whose package auth
 * is the runtime.
 */
export function renderAuthRuntime(where: RuntimePlacement, grpc: boolean): Artifact[] {
  if (!isShared('auth', where)) return [];
  const f = new GoFile(`${SERVICE_AUTH_DIR}/runtime.gen.go`, 'auth');
  const rt = f.use(runtimeImport(where, 'auth'), 'authrt');
  const api = AUTH_RUNTIME_API;
  const entries = (names: readonly string[], sep: string) => names.flatMap((n) => [`\t// ${n} is ${rt}.${n}.`, `\t${n}${sep}${rt}.${n}`]);
  f.add(
    '// The API of the shared auth runtime, under the names this package\'s code',
    '// (the contract\'s schemes and requirements, custom.go) uses.',
    'type (',
    ...entries(api.types, ' = '),
    ')',
  );
  f.add('const (', ...entries(api.consts, ' = '), ')');
  f.add('var (', ...entries([...api.vars, ...api.funcs, ...(grpc ? api.grpcFuncs : [])], ' = '), ')');
  return [f.toArtifact(localImportPrefix(where))];
}
