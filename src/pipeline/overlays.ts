import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import type { FileSystem } from '../fs/types.js';
import type { Plan, PlannedChange } from '../plan/plan.js';
import { ENVIRONMENTS, type Environment } from '../project/deploy.js';
import { hashContent, type Manifest } from '../project/manifest.js';
import type { ProjectSettings } from '../project/settings.js';
import { OVERLAY_COMPONENT, overlayDir } from '../render/deploy.js';

/**
 * The overlays deployments/<env>/ are the user's; what svc.yaml says of an
 * environment is in the component svc/ inside each, which svc rewrites. An
 * overlay the user edited is never rewritten, so one that does not include
 * the component (one of an older svc, or changed by hand) is reported with the
 * edit that makes svc.yaml reach it. The facts come from the overlay's YAML
 * (the user's file as it stands), never from svc's rendered text.
 */

/**
 * The patch files an older svc wrote into each overlay, before the
 * environment's settings moved into the component: the overlay referenced
 * them by these paths.
 */
export const LEGACY_OVERLAY_PATCHES = ['deployment-patch.yaml', 'hpa-patch.yaml'] as const;

/** The path of an overlay's own kustomization.yaml. */
function overlayFile(env: Environment): string {
  return `${overlayDir(env)}/kustomization.yaml`;
}

/** What an overlay's kustomization.yaml says that matters to svc, with 1-based line numbers. */
export interface OverlayFacts {
  /** Whether `components:` lists svc's component. */
  includesComponent: boolean;
  /** The line to add the component at: the `components:` key, else `resources:`, else 1. */
  anchorLine: number;
  /** Whether the file has a `components:` key at all. */
  hasComponents: boolean;
  namespace?: { value: string; line: number };
  /** Entries of its own that set what the component sets, for the service: `images`, `replicas`, and the legacy patches. */
  overrides: { what: string; line: number }[];
}

/** Reads the facts of an overlay's kustomization.yaml; undefined when it is not a YAML mapping. */
export function overlayFacts(text: string, service: string): OverlayFacts | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return undefined;
  const lineOf = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const pairs = doc.contents.items as Pair<Node, Node>[];
  const pair = (key: string) => pairs.find((p) => isScalar(p.key) && p.key.value === key);
  const items = (key: string) => {
    const v = pair(key)?.value;
    return isSeq(v) ? (v.items as Node[]) : [];
  };
  const field = (item: Node, key: string) => (isMap(item) ? item.get(key) : undefined);

  const components = pair('components');
  const resources = pair('resources');
  const includesComponent = items('components').some((c) => isScalar(c) && normalise(String(c.value)) === OVERLAY_COMPONENT);
  const overrides: { what: string; line: number }[] = [];
  for (const key of ['images', 'replicas'] as const) {
    for (const item of items(key)) if (field(item, 'name') === service) overrides.push({ what: `its ${key} entry for ${service}`, line: lineOf(item) });
  }
  for (const item of items('patches')) {
    const path = field(item, 'path');
    if (typeof path === 'string' && (LEGACY_OVERLAY_PATCHES as readonly string[]).includes(normalise(path))) {
      overrides.push({ what: `the patch ${normalise(path)}`, line: lineOf(item) });
    }
  }
  const ns = pair('namespace');
  const facts: OverlayFacts = {
    includesComponent,
    hasComponents: components !== undefined,
    anchorLine: lineOf((components ?? resources)?.key),
    overrides,
  };
  if (ns && isScalar(ns.value) && typeof ns.value.value === 'string') facts.namespace = { value: ns.value.value, line: lineOf(ns.value) };
  return facts;
}

/** `./svc/` → `svc`. */
function normalise(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/+$/, '');
}

/**
 * Brings the plan's overlays in step with the component layout, and returns
 * the edits the user must make by hand (one `path:line: edit` a line):
 *
 * - an overlay svc is about to rewrite (still as svc created it) drops the
 *   patch files an older svc wrote beside it: deleted when untouched; when
 *   one was edited, the overlay is kept instead, so the edit still applies;
 * - an overlay the user edited that does not include svc/ (or sets itself
 *   what svc/ sets, or names another namespace than svc.yaml) gets an
 *   "action needed" line with the exact edit. User files are never edited.
 *
 * Only overlays this run plans are looked at (svc gen docker plans none).
 */
export async function reconcileOverlays(plan: Plan, fs: FileSystem, manifest: Manifest, settings: ProjectSettings): Promise<string[]> {
  const actions: string[] = [];
  for (const env of ENVIRONMENTS) {
    const change = plan.changes.find((c) => c.artifact.path === overlayFile(env));
    if (!change) continue;
    const legacy = await legacyPatches(fs, manifest, env);
    if (change.action === 'overwrite' || change.action === 'create') {
      if (legacy.some((l) => !l.untouched) && change.previous !== undefined) {
        change.action = 'skip';
        change.reason = `kept: ${legacy.filter((l) => !l.untouched).map((l) => l.path).join(' and ')}, which it applies, was edited`;
      } else {
        for (const l of legacy.filter((x) => x.untouched)) plan.changes.push(legacyDeletion(l, change.action === 'create'));
        if (legacy.some((l) => !l.untouched)) {
          const edited = legacy.filter((l) => !l.untouched).map((l) => l.path);
          actions.push(`${edited.join(', ')}: no longer applied (${overlayFile(env)} was re-created without it): move your changes into that overlay's patches, then delete the file`);
        }
      }
    }
    if (change.action === 'skip' && change.previous !== undefined) actions.push(...overlayEdits(env, change.previous, settings, legacy));
  }
  plan.changes.sort((a, b) => a.artifact.path.localeCompare(b.artifact.path));
  return actions;
}

interface LegacyPatch {
  path: string;
  content: string;
  /** Still as svc wrote it. */
  untouched: boolean;
}

async function legacyPatches(fs: FileSystem, manifest: Manifest, env: Environment): Promise<LegacyPatch[]> {
  const out: LegacyPatch[] = [];
  for (const name of LEGACY_OVERLAY_PATCHES) {
    const path = `${overlayDir(env)}/${name}`;
    const content = await fs.read(path);
    if (content === undefined) continue;
    const record = manifest.created[path];
    out.push({ path, content, untouched: record !== undefined && record.hash === hashContent(content) });
  }
  return out;
}

/** The deletion of an untouched legacy patch, with the overlay's rewrite. */
function legacyDeletion(l: LegacyPatch, recreated: boolean): PlannedChange {
  const artifact = { path: l.path, content: '', owner: 'user' as const };
  const why = recreated ? 'the overlay is re-created' : 'the overlay is rewritten';
  return { action: 'delete', artifact, previous: l.content, reason: `as svc created it; ${why} with its settings in ${OVERLAY_COMPONENT}/` };
}

/** The edits an overlay of the user's needs for svc.yaml's settings to reach the environment. */
function overlayEdits(env: Environment, text: string, settings: ProjectSettings, legacy: readonly LegacyPatch[]): string[] {
  const path = overlayFile(env);
  const facts = overlayFacts(text, settings.name);
  if (!facts) return [];
  const edits: string[] = [];
  if (!facts.includesComponent) {
    const add = facts.hasComponents ? `add "- ${OVERLAY_COMPONENT}" to its components` : `add "components: [${OVERLAY_COMPONENT}]"`;
    const remove = facts.overrides.length > 0 ? `, and remove what ${OVERLAY_COMPONENT}/ now sets: ${facts.overrides.map((o) => `${o.what} (line ${o.line})`).join(', ')}` : '';
    const gone = legacy.length > 0 ? `; then delete ${legacy.map((l) => l.path).join(' and ')}` : '';
    edits.push(
      `${path}:${facts.anchorLine}: this overlay does not include ${OVERLAY_COMPONENT}/, the component svc keeps in step with svc.yaml's deploy.environments.${env} ` +
        `(image and tag, replicas, autoscaling bounds, resources, log level), so svc.yaml and svc gen k8s do not reach ${env}: ${add}${remove}${gone}`,
    );
  }
  const want = settings.deploy.environments[env].namespace;
  if (facts.namespace && facts.namespace.value !== want) {
    edits.push(
      `${path}:${facts.namespace.line}: namespace is "${facts.namespace.value}", but svc.yaml's deploy.environments.${env}.namespace is "${want}": ` +
        `set "namespace: ${want}" here and the name in ${overlayDir(env)}/namespace.yaml, or set svc.yaml's back to "${facts.namespace.value}"`,
    );
  }
  return edits;
}

/**
 * For `svc gen k8s` flags that changed an environment: the entries of an
 * overlay of the user's (that includes svc/) which set the same thing
 * themselves, after svc/, so the new value does not show.
 */
export function overriddenBy(env: Environment, text: string, service: string): string[] {
  const facts = overlayFacts(text, service);
  if (!facts?.includesComponent) return [];
  return facts.overrides.map(
    (o) => `${overlayFile(env)}:${o.line}: ${o.what} applies after ${OVERLAY_COMPONENT}/, so the new svc.yaml value for ${env} may not show until you remove it`,
  );
}
