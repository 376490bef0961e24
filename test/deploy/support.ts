import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ValidationSeverity } from 'dockerfile-utils';
import { parseAllDocuments } from 'yaml';
import { GO_ENV } from '../support/go.js';

/** The strict schema and pod security checker (a Go program with pinned k8s.io/api, kustomize and PSA modules). */
const CHECKER_DIR = join(import.meta.dirname, '..', 'k8scheck');

export type K8sObject = Record<string, any>;

export interface CheckReport {
  dir: string;
  objects: K8sObject[];
  problems: string[];
}

/** Builds the checker into a temporary folder and returns the binary's path. */
export async function buildChecker(): Promise<string> {
  const bin = join(mkdtempSync(join(tmpdir(), 'k8scheck-')), 'k8scheck');
  const r = await execa('go', ['build', '-o', bin, '.'], { cwd: CHECKER_DIR, env: GO_ENV, reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`building test/k8scheck failed:\n${r.all}`);
  return bin;
}

/** Renders each kustomization folder with the checker and returns its reports (problems included, never thrown). */
export async function check(bin: string, dirs: string[]): Promise<{ exitCode: number; reports: CheckReport[]; stderr: string }> {
  const r = await execa(bin, dirs, { reject: false });
  if (r.exitCode === 2) throw new Error(`k8scheck could not render: ${r.stderr}`);
  return { exitCode: r.exitCode ?? -1, reports: JSON.parse(r.stdout) as CheckReport[], stderr: r.stderr };
}

export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The objects `kubectl kustomize` renders from a folder. */
export async function kubectlKustomize(dir: string): Promise<K8sObject[]> {
  const r = await execa('kubectl', ['kustomize', dir], { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${r.all}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sObject);
}

export function byKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function one(objects: K8sObject[], kind: string): K8sObject {
  const found = byKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
}

/** The first container of the Deployment's pod template. */
export function container(objects: K8sObject[]): K8sObject {
  return one(objects, 'Deployment').spec.template.spec.containers[0];
}

/** Every Dockerfile validator rule at warning level or above, so that nothing slips through as "ignored". */
export const STRICT_DOCKERFILE = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};
