import type { OperationLimits } from '../../model/types.js';
import { BuildContext, isObject, ptr, type Json } from './context.js';

/**
 * An operation's own limits, from its extensions:
 * - `x-svc-timeout`: a Go duration (`500ms`, `5s`, `1m30s`), at least 1ms;
 * - `x-svc-max-body`: bytes, a positive integer or a size with a unit
 *   (`512KB`, `10 MiB`; B, KB, MB, GB are powers of 1000, KiB, MiB, GiB of 1024);
 * - `x-svc-rate-limit`: `N/s`, `N/m`, `N/h` (or `N/second`, `N/minute`,
 *   `N/hour`), or `{requests: N, per: <duration>, burst: B}`.
 * Undefined when it has none.
 */
export function operationLimits(ctx: BuildContext, raw: Json, at: string): OperationLimits | undefined {
  const limits: OperationLimits = {};
  const fail = (key: string, want: string) => ctx.error(ptr(at, key), `${key} must be ${want}, not ${show(raw[key])}`);
  if (raw['x-svc-timeout'] !== undefined) {
    const ms = typeof raw['x-svc-timeout'] === 'string' ? durationMs(raw['x-svc-timeout']) : undefined;
    if (ms === undefined || ms < 1) throw fail('x-svc-timeout', 'a duration of at least 1ms such as "500ms", "5s" or "1m30s"');
    limits.timeoutMs = Math.round(ms);
  }
  if (raw['x-svc-max-body'] !== undefined) {
    const bytes = sizeBytes(raw['x-svc-max-body']);
    if (bytes === undefined) throw fail('x-svc-max-body', 'a positive number of bytes or a size such as "512KB" or "10MiB" (units B, KB, KiB, MB, MiB, GB, GiB)');
    limits.maxBodyBytes = bytes;
  }
  if (raw['x-svc-rate-limit'] !== undefined) {
    const rate = rateLimit(raw['x-svc-rate-limit']);
    if (rate === undefined) throw fail('x-svc-rate-limit', '"N/s", "N/m", "N/h" or a mapping {requests: N, per: <duration such as "1m">, burst: N} with positive whole numbers');
    limits.rateLimit = rate;
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/** `x-svc-cache-ttl`: how long what the operation reads stays cached, a Go duration of at least 1ms. */
export function cacheTtl(ctx: BuildContext, raw: Json, at: string): number | undefined {
  const v = raw['x-svc-cache-ttl'];
  if (v === undefined) return undefined;
  const ms = typeof v === 'string' ? durationMs(v) : undefined;
  if (ms === undefined || ms < 1) throw ctx.error(ptr(at, 'x-svc-cache-ttl'), `x-svc-cache-ttl must be a duration of at least 1ms such as "30s" or "5m", not ${show(v)}`);
  return Math.round(ms);
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration (`1h2m3.5s`, no sign) in milliseconds; undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+(\.\d+)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)((\d+(\.\d+)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  return Number.isFinite(total) ? total : undefined;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 };

/** A positive whole number of bytes, or a size with a unit, in bytes; undefined when it is neither. */
function sizeBytes(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/i.exec(value.trim());
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] ?? 'b').toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

const RATE_PERIODS: Record<string, number> = { s: 1000, sec: 1000, second: 1000, m: 60_000, min: 60_000, minute: 60_000, h: 3_600_000, hour: 3_600_000 };

function rateLimit(value: unknown): OperationLimits['rateLimit'] {
  if (typeof value === 'string') {
    const m = /^(\d+)\s*\/\s*([a-z]+)$/i.exec(value.trim());
    const perMs = m ? RATE_PERIODS[m[2]!.toLowerCase()] : undefined;
    const requests = m ? Number(m[1]) : 0;
    return perMs !== undefined && Number.isSafeInteger(requests) && requests > 0 ? { requests, perMs } : undefined;
  }
  if (!isObject(value) || Object.keys(value).some((k) => !['requests', 'per', 'burst'].includes(k))) return undefined;
  const whole = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
  const perMs = typeof value.per === 'string' ? durationMs(value.per) : undefined;
  if (!whole(value.requests) || perMs === undefined || perMs < 1) return undefined;
  if (value.burst !== undefined && !whole(value.burst)) return undefined;
  return { requests: value.requests as number, perMs: Math.round(perMs), ...(value.burst !== undefined ? { burst: value.burst as number } : {}) };
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (isObject(v) || Array.isArray(v)) return JSON.stringify(v);
  return String(v);
}
