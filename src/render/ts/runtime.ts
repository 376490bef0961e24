import { Scope, StructureKind, type ClassDeclarationStructure, type StatementStructures } from 'ts-morph';

/**
 * src/runtime.ts of the SDK: the fetch-based transport every client method
 * calls. It is the same for every contract: options (baseUrl, an injectable
 * fetch, a headers hook, an auth hook that hands out credentials by security
 * scheme), a deadline per call (the caller's AbortSignal and a timeout),
 * retries with exponential backoff and full jitter for idempotent methods
 * only, honouring Retry-After, and ProblemError for every answer the
 * operation does not declare as its own (RFC 9457 problem+json parsed).
 */
export function runtimeStatements(): StatementStructures[] {
  return [
    typeAlias('FetchFunction', '(input: string, init: RequestInit) => Promise<Response>', 'The fetch the client calls: globalThis.fetch unless ClientOptions.fetch replaces it.'),
    typeAlias('RawBody', 'Blob | ArrayBuffer | string', 'A request body sent as it is (a media type other than JSON and forms).'),
    typeAlias('MultipartBody', '{ [K in keyof T]: T[K] | Blob | Blob[] }', 'A multipart/form-data body: each member its value, or a file (a Blob, or several).', ['T']),
    typeAlias('ResponseKind', "'json' | 'text' | 'blob' | 'empty'", 'How a declared response body is read.'),
    iface('SchemeInfo', 'A security scheme of the contract, as the runtime applies its credential.', [
      ['kind', "'bearer' | 'basic' | 'apiKey' | 'oauth2' | 'openIdConnect' | 'custom'", false, undefined],
      ['in', "'header' | 'query' | 'cookie'", true, 'apiKey: where the key goes…'],
      ['name', 'string', true, '…and the header, query parameter or cookie name.'],
      ['httpScheme', 'string', true, 'custom: the HTTP authentication scheme written before the credential.'],
    ]),
    typeAlias(
      'AuthHook',
      '(scheme: string, info: SchemeInfo) => string | undefined | Promise<string | undefined>',
      [
        'Returns the credential for a security scheme (by its name in the contract), or undefined when the caller has none:',
        'a token for bearer, oauth2 and openIdConnect schemes (sent as `Authorization: Bearer <token>`), `user:password` for basic,',
        'the key for apiKey schemes. An operation is sent with the first of its requirements whose schemes all have a credential.',
      ].join('\n'),
    ),
    iface('RequestContext', 'What a headers hook is told about the request it decorates.', [
      ['operation', 'string', false, 'The operation (its operationId).'],
      ['method', 'string', false, undefined],
      ['url', 'string', false, undefined],
    ]),
    typeAlias('HeadersHook', '(request: RequestContext) => Record<string, string> | Promise<Record<string, string>>', 'Adds headers to every request (tracing, tenancy, custom auth).'),
    iface('RetryOptions', 'Retries of idempotent calls (GET, HEAD, PUT, DELETE, OPTIONS) after a network error, 429, 502, 503 or 504.', [
      ['maxAttempts', 'number', true, 'Attempts including the first (default 3); 1 disables retries.'],
      ['initialBackoffMs', 'number', true, 'The first backoff (default 100 ms); it doubles on each retry, with full jitter.'],
      ['maxBackoffMs', 'number', true, 'The longest wait between attempts, a Retry-After included (default 2000 ms).'],
    ]),
    iface('ClientOptions', 'How a Client reaches the service.', [
      ['baseUrl', 'string', false, 'scheme://host[:port][/prefix]; operation paths are appended to it.'],
      ['fetch', 'FetchFunction', true, 'Replaces globalThis.fetch (tests, proxies, instrumentation).'],
      ['headers', 'Record<string, string> | HeadersHook', true, 'Headers sent with every request.'],
      ['auth', 'AuthHook', true, 'Credentials by security scheme.'],
      ['timeoutMs', 'number', true, 'Bounds a whole call, retries included (default 30000); 0 for none.'],
      ['retry', 'RetryOptions | false', true, 'Retry policy of idempotent calls; false disables retries.'],
    ]),
    iface('CallOptions', 'Per-call options.', [
      ['signal', 'AbortSignal', true, 'Aborts the call (and its retries).'],
      ['timeoutMs', 'number', true, "Replaces the client's timeout for this call."],
      ['headers', 'Record<string, string>', true, 'Extra headers for this call.'],
      ['retry', 'RetryOptions | false', true, "Replaces the client's retry policy for this call."],
    ]),
    iface('FieldError', 'One invalid field of a request, from a problem\'s "errors" member.', [
      ['field', 'string', false, undefined],
      ['detail', 'string', false, undefined],
    ]),
    problemErrorClass(),
    iface('RequestSpec', 'One request, as a generated client method describes it to the runtime.', [
      ['operation', 'string', false, undefined],
      ['method', 'string', false, undefined],
      ['path', 'string', false, 'Already expanded and escaped; starts with "/".'],
      ['query', 'object | undefined', true, 'Query parameters by wire name; undefined values are left out.'],
      ['queryStyles', 'Record<string, { style?: string; explode?: boolean }>', true, 'Parameters not sent in the default form style (exploded).'],
      ['header', 'object | undefined', true, undefined],
      ['cookie', 'object | undefined', true, undefined],
      ['body', 'unknown', true, undefined],
      ['bodyKind', "'json' | 'form' | 'multipart' | 'raw'", true, undefined],
      ['contentType', 'string', true, undefined],
      ['idempotent', 'boolean', false, 'Only idempotent requests are retried.'],
      ['security', 'readonly (readonly string[])[]', false, 'Alternative requirements (OR), each a list of scheme names (AND); empty when public.'],
      ['responses', 'Readonly<Record<string, ResponseKind>>', false, 'The answers the operation returns, by status code ("200", "4XX", "default"); any other throws ProblemError.'],
    ]),
    iface('RawResponse', 'A declared answer, its body read as the operation declares it.', [
      ['code', 'string', false, 'The entry of the responses table that matched: "200", "4XX" or "default".'],
      ['status', 'number', false, undefined],
      ['headers', 'Headers', false, undefined],
      ['body', 'unknown', false, undefined],
    ]),
    runtimeClass(),
    {
      kind: StructureKind.Function,
      name: 'pathParam',
      isExported: true,
      docs: ['A path parameter, escaped (lists are joined with commas, the simple style).'],
      parameters: [{ name: 'value', type: 'unknown' }],
      returnType: 'string',
      statements: ["return encodeURIComponent(Array.isArray(value) ? value.map(String).join(',') : String(value));"],
    },
    fn('text', 'A query, header or form value as text: objects as JSON.', [['value', 'unknown']], 'string', [
      "return typeof value === 'object' && value !== null && !(value instanceof Date) ? JSON.stringify(value) : value instanceof Date ? value.toISOString() : String(value);",
    ]),
    fn('defined', 'The entries of an object whose value is not undefined.', [['values', 'object | undefined']], '[string, unknown][]', [
      'return values === undefined ? [] : Object.entries(values).filter(([, v]) => v !== undefined);',
    ]),
    fn('encodeBody', 'The request body as fetch sends it.', [['spec', 'RequestSpec']], "RequestInit['body']", [
      'if (spec.body === undefined) return undefined;',
      `switch (spec.bodyKind) {
  case 'form': {
    const form = new URLSearchParams();
    for (const [k, v] of defined(spec.body as object)) {
      for (const item of Array.isArray(v) ? v : [v]) form.append(k, text(item));
    }
    return form;
  }
  case 'multipart': {
    const data = new FormData();
    for (const [k, v] of defined(spec.body as object)) {
      for (const item of Array.isArray(v) ? v : [v]) data.append(k, item instanceof Blob ? item : text(item));
    }
    return data;
  }
  case 'raw':
    return spec.body as RawBody;
  default:
    return JSON.stringify(spec.body);
}`,
    ]),
    fn('statusKey', 'The entry of the responses table that covers a status: exact, range (4XX), then default.', [
      ['responses', 'Readonly<Record<string, ResponseKind>>'],
      ['status', 'number'],
    ], 'string | undefined', [
      'const exact = String(status);',
      'if (responses[exact] !== undefined) return exact;',
      'const range = `${Math.floor(status / 100)}XX`;',
      'if (responses[range] !== undefined) return range;',
      "return responses['default'] !== undefined ? 'default' : undefined;",
    ]),
    fn('readBody', 'Reads a body as the operation declares it.', [['response', 'Response'], ['kind', 'ResponseKind']], 'Promise<unknown>', [
      `switch (kind) {
  case 'json': {
    const body = await response.text();
    return body === '' ? undefined : (JSON.parse(body) as unknown);
  }
  case 'text':
    return response.text();
  case 'blob':
    return response.blob();
  default:
    await response.body?.cancel();
    return undefined;
}`,
    ], true),
    fn('retryAfterMs', 'A Retry-After header (seconds or an HTTP date) in milliseconds, or undefined.', [['value', 'string | null']], 'number | undefined', [
      'if (value === null || value.trim() === \'\') return undefined;',
      'const seconds = Number(value);',
      'if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);',
      'const date = Date.parse(value);',
      'return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());',
    ]),
    fn('sleep', 'Waits ms milliseconds, or until signal aborts (then rejects with its reason).', [['ms', 'number'], ['signal', 'AbortSignal']], 'Promise<void>', [
      `return new Promise((resolve, reject) => {
  if (signal.aborted) {
    reject(signal.reason);
    return;
  }
  const onAbort = () => {
    clearTimeout(timer);
    reject(signal.reason);
  };
  const timer = setTimeout(() => {
    signal.removeEventListener('abort', onAbort);
    resolve();
  }, ms);
  signal.addEventListener('abort', onAbort, { once: true });
});`,
    ]),
    fn('base64', 'UTF-8 text in base64 (for basic credentials).', [['value', 'string']], 'string', [
      "let binary = '';",
      'for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);',
      'return btoa(binary);',
    ]),
  ];
}

type Member = [name: string, type: string, optional: boolean, doc: string | undefined];

function iface(name: string, doc: string, members: Member[]): StatementStructures {
  return {
    kind: StructureKind.Interface,
    name,
    isExported: true,
    docs: [doc],
    properties: members.map(([n, type, optional, d]) => ({ name: n, type, hasQuestionToken: optional, docs: d ? [d] : [] })),
  };
}

function typeAlias(name: string, type: string, doc: string, typeParameters: string[] = []): StatementStructures {
  return { kind: StructureKind.TypeAlias, name, isExported: true, type, docs: [doc], typeParameters };
}

function fn(name: string, doc: string, params: [string, string][], returnType: string, statements: string[], isAsync = false): StatementStructures {
  return {
    kind: StructureKind.Function,
    name,
    isAsync,
    docs: [doc],
    parameters: params.map(([n, type]) => ({ name: n, type })),
    returnType,
    statements,
  };
}

function problemErrorClass(): ClassDeclarationStructure {
  const field = (name: string, type: string, doc: string) => ({ name, type, isReadonly: true, docs: [doc] });
  return {
    kind: StructureKind.Class,
    name: 'ProblemError',
    isExported: true,
    extends: 'Error',
    docs: [
      'An answer the operation does not return as a value: an RFC 9457 problem (application/problem+json), or any other\n' +
        'status the contract does not declare for it. `status`, `type` and `title` are always set; a body that is not a\n' +
        'problem is kept in `body`.',
    ],
    properties: [
      field('operation', 'string', 'The operation that failed.'),
      field('status', 'number', 'The HTTP status.'),
      field('type', 'string', 'A URI identifying the problem type ("about:blank" when the answer has none).'),
      field('title', 'string', 'A short summary of the problem type.'),
      field('detail', 'string | undefined', 'This occurrence of the problem, explained.'),
      field('instance', 'string | undefined', 'A URI identifying this occurrence.'),
      field('code', 'string | undefined', 'The service\'s error code, when the problem carries one.'),
      field('errors', 'FieldError[]', 'The invalid fields of the request ("errors" member); empty when none.'),
      field('requestId', 'string | undefined', 'The X-Request-ID of the answer.'),
      field('headers', 'Headers', 'The answer\'s headers.'),
      field('body', 'unknown', 'The body as received: the parsed JSON, or the text.'),
    ],
    ctors: [
      {
        parameters: [
          { name: 'operation', type: 'string' },
          { name: 'status', type: 'number' },
          { name: 'headers', type: 'Headers' },
          { name: 'body', type: 'unknown' },
        ],
        statements: [
          "const problem = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};",
          "const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);",
          "const title = str(problem['title']) ?? `HTTP ${status}`;",
          "const detail = str(problem['detail']) ?? (typeof body === 'string' && body !== '' ? body.slice(0, 500) : undefined);",
          'super(`${operation}: ${status} ${title}${detail !== undefined ? `: ${detail}` : \'\'}`);',
          "this.name = 'ProblemError';",
          'this.operation = operation;',
          'this.status = status;',
          "this.type = str(problem['type']) ?? 'about:blank';",
          'this.title = title;',
          'this.detail = detail;',
          "this.instance = str(problem['instance']);",
          "this.code = str(problem['code']);",
          `const errors = problem['errors'];
this.errors = Array.isArray(errors)
  ? errors.map((e: unknown) => {
      const item = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
      return { field: str(item['field']) ?? '', detail: str(item['detail']) ?? '' };
    })
  : [];`,
          "this.requestId = headers.get('x-request-id') ?? undefined;",
          'this.headers = headers;',
          'this.body = body;',
        ],
      },
    ],
  };
}

function runtimeClass(): ClassDeclarationStructure {
  return {
    kind: StructureKind.Class,
    name: 'Runtime',
    isExported: true,
    docs: ['Sends the requests of a generated Client. One per Client; safe to share between concurrent calls.'],
    properties: [
      { name: 'options', type: 'ClientOptions', scope: Scope.Private, isReadonly: true },
      { name: 'schemes', type: 'Readonly<Record<string, SchemeInfo>>', scope: Scope.Private, isReadonly: true },
    ],
    ctors: [
      {
        parameters: [
          { name: 'options', type: 'ClientOptions' },
          { name: 'schemes', type: 'Readonly<Record<string, SchemeInfo>>' },
        ],
        statements: [
          "if (!/^https?:\\/\\//.test(options.baseUrl)) throw new TypeError(`baseUrl must be an http(s) URL, not ${JSON.stringify(options.baseUrl)}`);",
          "this.options = { ...options, baseUrl: options.baseUrl.replace(/\\/+$/, '') };",
          'this.schemes = schemes;',
        ],
      },
    ],
    methods: [
      {
        name: 'call',
        isAsync: true,
        docs: ['Sends a request, retrying it when it is idempotent and the failure is transient; returns a declared answer or throws ProblemError.'],
        parameters: [
          { name: 'spec', type: 'RequestSpec' },
          { name: 'call', type: 'CallOptions', initializer: '{}' },
        ],
        returnType: 'Promise<RawResponse>',
        statements: [
          'const url = new URL(this.options.baseUrl + spec.path);',
          'for (const [name, value] of defined(spec.query)) this.addQuery(url.searchParams, name, value, spec.queryStyles?.[name]);',
          'const headers = new Headers();',
          "const kinds = Object.values(spec.responses);",
          "headers.set('Accept', kinds.includes('json') || kinds.length === 0 ? 'application/json, application/problem+json' : '*/*');",
          "if (spec.body !== undefined && spec.contentType !== undefined && spec.bodyKind !== 'multipart') headers.set('Content-Type', spec.contentType);",
          "for (const [name, value] of defined(spec.header)) headers.set(name, Array.isArray(value) ? value.map(text).join(',') : text(value));",
          'const cookies = defined(spec.cookie).map(([name, value]) => `${name}=${encodeURIComponent(text(value))}`);',
          'await this.authorize(spec, url, headers, cookies);',
          "if (cookies.length > 0) headers.set('Cookie', cookies.join('; '));",
          'const extra = this.options.headers;',
          "const hooked = typeof extra === 'function' ? await extra({ operation: spec.operation, method: spec.method, url: url.toString() }) : extra;",
          'for (const [name, value] of Object.entries({ ...hooked, ...call.headers })) headers.set(name, value);',
          'const body = encodeBody(spec);',
          '',
          'const timeoutMs = call.timeoutMs ?? this.options.timeoutMs ?? 30_000;',
          'const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;',
          'const controller = new AbortController();',
          'const onAbort = () => controller.abort(call.signal?.reason);',
          "if (call.signal?.aborted) onAbort();",
          "call.signal?.addEventListener('abort', onAbort, { once: true });",
          `const timer =
  timeoutMs > 0
    ? setTimeout(() => controller.abort(new DOMException(\`\${spec.operation}: no answer within \${timeoutMs} ms\`, 'TimeoutError')), timeoutMs)
    : undefined;`,
          `const policy = call.retry ?? this.options.retry ?? {};
const maxAttempts = spec.idempotent && policy !== false ? Math.max(1, policy.maxAttempts ?? 3) : 1;
const initial = policy === false ? 0 : (policy.initialBackoffMs ?? 100);
const cap = policy === false ? 0 : (policy.maxBackoffMs ?? 2_000);
const fetchFn: FetchFunction = this.options.fetch ?? ((input, init) => globalThis.fetch(input, init));`,
          `try {
  for (let attempt = 1; ; attempt++) {
    controller.signal.throwIfAborted();
    let response: Response;
    try {
      response = await fetchFn(url.toString(), { method: spec.method, headers, body: body ?? null, signal: controller.signal });
    } catch (err) {
      // The caller's abort and the timeout end the call; a network error is retried.
      if (controller.signal.aborted) throw controller.signal.reason;
      const wait = Math.random() * Math.min(cap, initial * 2 ** (attempt - 1));
      if (attempt >= maxAttempts || Date.now() + wait >= deadline) throw err;
      await sleep(wait, controller.signal);
      continue;
    }
    if (attempt < maxAttempts && [429, 502, 503, 504].includes(response.status)) {
      const hinted = retryAfterMs(response.headers.get('Retry-After'));
      const wait = hinted !== undefined ? Math.min(cap, hinted) : Math.random() * Math.min(cap, initial * 2 ** (attempt - 1));
      if (Date.now() + wait < deadline) {
        await response.body?.cancel();
        await sleep(wait, controller.signal);
        continue;
      }
    }
    return await this.answer(spec, response);
  }
} finally {
  clearTimeout(timer);
  call.signal?.removeEventListener('abort', onAbort);
}`,
        ],
      },
      {
        name: 'answer',
        scope: Scope.Private,
        isAsync: true,
        docs: ['A declared answer, or ProblemError for any other.'],
        parameters: [
          { name: 'spec', type: 'RequestSpec' },
          { name: 'response', type: 'Response' },
        ],
        returnType: 'Promise<RawResponse>',
        statements: [
          'const code = statusKey(spec.responses, response.status);',
          'const kind = code === undefined ? undefined : spec.responses[code];',
          'if (code !== undefined && kind !== undefined) return { code, status: response.status, headers: response.headers, body: await readBody(response, kind) };',
          'const raw = await response.text();',
          'let body: unknown = raw;',
          `if (/[/+]json/.test(response.headers.get('Content-Type') ?? '') && raw !== '') {
  try {
    body = JSON.parse(raw) as unknown;
  } catch {
    // Not JSON after all: kept as text.
  }
}`,
          'throw new ProblemError(spec.operation, response.status, response.headers, body);',
        ],
      },
      {
        name: 'addQuery',
        scope: Scope.Private,
        docs: ['Adds one query parameter in its style: form (exploded or joined), spaceDelimited, pipeDelimited or deepObject.'],
        parameters: [
          { name: 'params', type: 'URLSearchParams' },
          { name: 'name', type: 'string' },
          { name: 'value', type: 'unknown' },
          { name: 'style', type: '{ style?: string; explode?: boolean } | undefined' },
        ],
        returnType: 'void',
        statements: [
          `if (Array.isArray(value)) {
  if (style?.explode === false) {
    const delimiter = style.style === 'spaceDelimited' ? ' ' : style.style === 'pipeDelimited' ? '|' : ',';
    params.append(name, value.map(text).join(delimiter));
  } else {
    for (const item of value) params.append(name, text(item));
  }
  return;
}
if (style?.style === 'deepObject' && typeof value === 'object' && value !== null) {
  for (const [k, v] of defined(value)) params.append(\`\${name}[\${k}]\`, text(v));
  return;
}
params.append(name, text(value));`,
        ],
      },
      {
        name: 'authorize',
        scope: Scope.Private,
        isAsync: true,
        docs: ['Applies the credentials of the first requirement the auth hook can satisfy; none applies for a public operation.'],
        parameters: [
          { name: 'spec', type: 'RequestSpec' },
          { name: 'url', type: 'URL' },
          { name: 'headers', type: 'Headers' },
          { name: 'cookies', type: 'string[]' },
        ],
        returnType: 'Promise<void>',
        statements: [
          'const auth = this.options.auth;',
          'if (auth === undefined) return;',
          `for (const requirement of spec.security) {
  const found: [SchemeInfo, string][] = [];
  for (const name of requirement) {
    const info = this.schemes[name];
    const credential = info === undefined ? undefined : await auth(name, info);
    if (info === undefined || credential === undefined) break;
    found.push([info, credential]);
  }
  if (found.length !== requirement.length) continue;
  for (const [info, credential] of found) {
    switch (info.kind) {
      case 'apiKey':
        if (info.in === 'query') url.searchParams.set(info.name ?? '', credential);
        else if (info.in === 'cookie') cookies.push(\`\${info.name ?? ''}=\${encodeURIComponent(credential)}\`);
        else headers.set(info.name ?? 'X-API-Key', credential);
        break;
      case 'basic':
        headers.set('Authorization', \`Basic \${base64(credential)}\`);
        break;
      case 'custom':
        headers.set('Authorization', \`\${info.httpScheme ?? 'Bearer'} \${credential}\`);
        break;
      default:
        headers.set('Authorization', \`Bearer \${credential}\`);
    }
  }
  return;
}`,
        ],
      },
    ],
  };
}
