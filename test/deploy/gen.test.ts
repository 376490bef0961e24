import { PassThrough } from 'node:stream';
import { parse, parseDocument } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { renderFixture } from '../../src/devtools/fixtures.js';
import { MemoryFileSystem } from '../../src/fs/memory.js';
import { applyDeployFlags, defaultDeploySettings, parseQuantity } from '../../src/project/deploy.js';
import { hashContent, MANIFEST_PATH, serializeManifest, type Manifest } from '../../src/project/manifest.js';

/**
 * `svc gen docker` and `svc gen k8s` on a generated service in memory: they
 * re-render only their own files through the same plan and apply, remember
 * their flags in svc.yaml, never overwrite the user's overlays, and refuse
 * bad input in one line before anything is written.
 */

let service: Map<string, string>;
beforeAll(async () => {
  service = (await renderFixture('starter')).fs.files;
});

/** Runs the CLI in-process against a copy of the generated service at /svc (or the given files). */
async function run(args: string[], files: Map<string, string> = service) {
  const fs = new MemoryFileSystem(Object.fromEntries(files));
  let stdout = '';
  let stderr = '';
  const out = new PassThrough().on('data', (d) => (stdout += d));
  const err = new PassThrough().on('data', (d) => (stderr += d));
  const code = await main([...args, '--dir', '/svc'], {
    cwd: '/',
    stdout: out as unknown as NodeJS.WriteStream,
    stderr: err as unknown as NodeJS.WriteStream,
    interactive: false,
    fsFor: () => fs,
  });
  return { code, stdout, stderr, fs };
}

/** The files a run changed (the manifest aside), by path. */
function changed(before: Map<string, string>, after: MemoryFileSystem): string[] {
  return [...after.files.keys()].filter((p) => p !== MANIFEST_PATH && before.get(p) !== after.files.get(p)).sort();
}

describe('svc gen k8s and svc gen docker on an unchanged service', () => {
  it.each([['k8s'], ['docker']])('gen %s writes nothing', async (kind) => {
    const r = await run(['gen', kind, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 created, 0 updated, \d+ unchanged/);
    expect(r.stderr).toBe('');
    expect(r.fs.writes).toBe(0);
  });

  it('gen k8s writes only the manifests, gen docker only the image files', async () => {
    // A service reduced to its settings and contract: each command re-creates its own files and nothing else.
    const bare = new Map([...service].filter(([p]) => p === 'svc.yaml' || p.startsWith('productproto/')));
    const k8s = await run(['gen', 'k8s', '--yes'], bare);
    const k8sFiles = changed(bare, k8s.fs);
    expect(k8sFiles).toContain('deployments/base/deployment.yaml');
    expect(k8sFiles).toContain('deployments/prod/kustomization.yaml');
    expect(k8sFiles).toContain('deployments/prod/svc/kustomization.yaml');
    // The Makefile too: it builds the image the overlays deploy (--image).
    for (const p of k8sFiles) expect(p).toMatch(/^(deployments\/|configs\/kustomization\.yaml$|Makefile$)/);
    for (const p of k8sFiles) expect(k8s.fs.files.get(p), p).toBe(service.get(p));
    const docker = await run(['gen', 'docker', '--yes'], bare);
    expect(changed(bare, docker.fs)).toEqual(['.dockerignore', 'Dockerfile', 'Makefile']);
  });

  it('gen docker restores the Dockerfile and leaves a deleted manifest alone', async () => {
    const files = new Map(service);
    files.delete('Dockerfile');
    files.delete('deployments/base/hpa.yaml');
    const r = await run(['gen', 'docker', '--yes'], files);
    expect(r.code).toBe(0);
    expect(r.fs.files.get('Dockerfile')).toBe(service.get('Dockerfile'));
    expect(r.fs.files.has('deployments/base/hpa.yaml')).toBe(false);
  });
});

describe('svc gen k8s flags', () => {
  it('--ingress and --service-monitor are remembered in svc.yaml, so a re-run without flags changes nothing', async () => {
    const first = await run(['gen', 'k8s', '--ingress', '--service-monitor', '--yes']);
    expect(first.code).toBe(0);
    expect(changed(service, first.fs)).toEqual([
      'deployments/base/ingress.yaml',
      'deployments/base/kustomization.yaml',
      'deployments/base/servicemonitor.yaml',
      'svc.yaml',
    ]);
    const settings = parse(first.fs.files.get('svc.yaml')!);
    expect(settings.deploy.ingress.enabled).toBe(true);
    expect(settings.deploy.serviceMonitor).toBe(true);
    // The user's comments in svc.yaml survive the update.
    expect(first.fs.files.get('svc.yaml')!.split('\n').slice(0, 2)).toEqual(service.get('svc.yaml')!.split('\n').slice(0, 2));

    const again = await run(['gen', 'k8s', '--yes'], first.fs.files);
    expect(again.code).toBe(0);
    expect(again.fs.writes).toBe(0);

    const off = await run(['gen', 'k8s', '--no-ingress', '--yes'], first.fs.files);
    expect(off.fs.files.get('deployments/base/kustomization.yaml')).not.toMatch(/ingress\.yaml/);
    expect(parse(off.fs.files.get('svc.yaml')!).deploy.ingress.enabled).toBe(false);
  });

  it('seeds an overlay that does not exist yet from the sizing flags', async () => {
    const files = new Map([...service].filter(([p]) => !p.startsWith('deployments/prod/')));
    const r = await run(['gen', 'k8s', '--env', 'prod', '--replicas', '4', '--min-replicas', '4', '--max-replicas', '20', '--cpu-limit', '1500m', '--yes'], files);
    expect(r.code).toBe(0);
    expect(r.fs.files.get('deployments/prod/svc/hpa-patch.yaml')).toMatch(/minReplicas: 4\n {2}maxReplicas: 20\n/);
    expect(r.fs.files.get('deployments/prod/svc/kustomization.yaml')).toMatch(/count: 4\n/);
    expect(r.fs.files.get('deployments/prod/svc/deployment-patch.yaml')).toMatch(/cpu: "1500m"/);
    expect(r.fs.files.get('deployments/prod/kustomization.yaml')).toBe(service.get('deployments/prod/kustomization.yaml'));
    expect(parse(r.fs.files.get('svc.yaml')!).deploy.environments.prod).toMatchObject({ replicas: 4, minReplicas: 4, maxReplicas: 20 });
  });

  it('never overwrites an overlay the user edited; the new values reach its svc/ component', async () => {
    const files = new Map(service);
    const mine = `${files.get('deployments/prod/kustomization.yaml')}patches:\n  - path: mine.yaml\n`;
    files.set('deployments/prod/kustomization.yaml', mine);
    const r = await run(['gen', 'k8s', '--env', 'prod', '--replicas', '5', '--image', 'registry.example.org/team/shop', '--yes'], files);
    expect(r.code).toBe(0);
    expect(r.fs.files.get('deployments/prod/kustomization.yaml')).toBe(mine);
    const component = r.fs.files.get('deployments/prod/svc/kustomization.yaml')!;
    expect(component).toMatch(/count: 5\n/);
    expect(component).toMatch(/newName: registry\.example\.org\/team\/shop\n/);
    expect(r.fs.files.get('Makefile')).toMatch(/^IMAGE +\?= registry\.example\.org\/team\/shop$/m);
    expect(changed(files, r.fs)).toEqual([
      'Makefile',
      'deployments/dev/svc/kustomization.yaml',
      'deployments/prod/svc/kustomization.yaml',
      'deployments/staging/svc/kustomization.yaml',
      'svc.yaml',
    ]);
    expect(r.stderr).toBe('');
  });

  it("keeps a service's Helm chart in step too: values-<env>.yaml as svc wrote it is updated, an edited one is named", async () => {
    const helm = await run(['gen', 'helm', '--yes']);
    expect(helm.code).toBe(0);
    const r = await run(['gen', 'k8s', '--env', 'prod', '--replicas', '5', '--image', 'registry.example.org/team/shop', '--yes'], helm.fs.files);
    expect(r.code).toBe(0);
    expect(parse(r.fs.files.get('charts/product/values-prod.yaml')!)).toMatchObject({ replicaCount: 5 });
    expect(parse(r.fs.files.get('charts/product/values.yaml')!).image.repository).toBe('registry.example.org/team/shop');

    const edited = new Map(helm.fs.files);
    const mine = `${edited.get('charts/product/values-prod.yaml')}nodeSelector: {kubernetes.io/arch: arm64}\n`;
    edited.set('charts/product/values-prod.yaml', mine);
    const kept = await run(['gen', 'k8s', '--env', 'prod', '--replicas', '5', '--yes'], edited);
    expect(kept.code).toBe(0);
    expect(kept.fs.files.get('charts/product/values-prod.yaml')).toBe(mine);
    expect(kept.stderr).toBe('note: charts/product/values-prod.yaml is yours and was left as it is: svc.yaml now holds the new values; set them there too (helm reads that file last)\n');
  });

  it('says which entries of an edited overlay set, after svc/, what a flag changed', async () => {
    const files = new Map(service);
    const mine = `${files.get('deployments/prod/kustomization.yaml')}replicas:\n  - name: product\n    count: 4\n`;
    files.set('deployments/prod/kustomization.yaml', mine);
    const r = await run(['gen', 'k8s', '--env', 'prod', '--replicas', '5', '--yes'], files);
    expect(r.code).toBe(0);
    const line = mine.split('\n').indexOf('  - name: product') + 1;
    expect(r.stderr).toBe(`note: deployments/prod/kustomization.yaml:${line}: its replicas entry for product applies after svc/, so the new svc.yaml value for prod may not show until you remove it\n`);
    expect(r.fs.files.get('deployments/prod/kustomization.yaml')).toBe(mine);
  });

  it('a hand-edited base file is a conflict unless --force', async () => {
    const files = new Map(service);
    files.set('deployments/base/pdb.yaml', `${files.get('deployments/base/pdb.yaml')}# edited\n`);
    const r = await run(['gen', 'k8s', '--yes'], files);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 generated file\(s\) were edited by hand/);
    expect(r.fs.files.get('deployments/base/pdb.yaml')).toMatch(/# edited/);
    const forced = await run(['gen', 'k8s', '--force', '--yes'], files);
    expect(forced.code).toBe(0);
    expect(forced.fs.files.get('deployments/base/pdb.yaml')).toBe(service.get('deployments/base/pdb.yaml'));
  });

  it('--dry-run prints the svc.yaml change and writes nothing', async () => {
    const r = await run(['gen', 'k8s', '--ingress', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/svc\.yaml/);
    expect(r.stdout).toMatch(/\+ {4}enabled: true/);
    expect(r.fs.writes).toBe(0);
  });
});

/** The prod overlay as svc wrote it before the settings moved into svc/ (the user's files, recorded in the manifest). */
const LEGACY_PROD: Record<string, string> = {
  'deployments/prod/kustomization.yaml': `# The prod environment of the product service.
#
# This overlay is yours: svc created it once from deploy.environments.prod
# in svc.yaml and never rewrites it. Tune it here; deployments/base is generated.
#   kubectl kustomize deployments/prod     # render
#   kubectl apply -k deployments/prod      # deploy
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: product
resources:
  - namespace.yaml
  - ../base
labels:
  - pairs:
      app.kubernetes.io/instance: product-prod
images:
  - name: product
    newName: registry.example.com/product
    newTag: "1.0.0"
# The starting replica count; the HorizontalPodAutoscaler takes over from here.
replicas:
  - name: product
    count: 3
patches:
  - path: deployment-patch.yaml
  - path: hpa-patch.yaml
`,
  'deployments/prod/deployment-patch.yaml': `# Sizing and settings of the product container in prod.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: product
spec:
  template:
    spec:
      containers:
        - name: product
          env:
            - name: PRODUCT_LOG_LEVEL
              value: info
            - name: PRODUCT_SERVICE_ENVIRONMENT
              value: prod
          resources:
            requests:
              cpu: "250m"
              memory: "256Mi"
            limits:
              cpu: "2"
              memory: "512Mi"
`,
  'deployments/prod/hpa-patch.yaml': `# Autoscaling bounds of the product service in prod.
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: product
spec:
  minReplicas: 3
  maxReplicas: 10
`,
};

/** The starter as an older svc left it: the old prod overlay, recorded as created, and no svc/ component. */
function legacyService(edit: (files: Map<string, string>) => void = () => {}): Map<string, string> {
  const files = new Map([...service].filter(([p]) => !p.startsWith('deployments/prod/svc/')));
  const manifest = JSON.parse(files.get(MANIFEST_PATH)!) as Manifest;
  for (const p of Object.keys(manifest.generated)) if (p.startsWith('deployments/prod/svc/')) delete manifest.generated[p];
  for (const [p, text] of Object.entries(LEGACY_PROD)) {
    files.set(p, text);
    manifest.created[p] = { hash: hashContent(text) };
  }
  files.set(MANIFEST_PATH, serializeManifest(manifest));
  edit(files);
  return files;
}

describe('an overlay of an older svc, whose settings were in the overlay itself', () => {
  it('as svc created it: svc gen api rewrites it to include svc/ and deletes the old patch files', async () => {
    const r = await run(['gen', 'api', '--yes'], legacyService());
    expect(r.stderr).not.toMatch(/action needed/);
    expect(r.code).toBe(0);
    for (const p of ['deployments/prod/kustomization.yaml', 'deployments/prod/svc/kustomization.yaml', 'deployments/prod/svc/deployment-patch.yaml']) {
      expect(r.fs.files.get(p), p).toBe(service.get(p));
    }
    expect(r.fs.files.has('deployments/prod/deployment-patch.yaml')).toBe(false);
    expect(r.fs.files.has('deployments/prod/hpa-patch.yaml')).toBe(false);
    expect(Object.keys((JSON.parse(r.fs.files.get(MANIFEST_PATH)!) as Manifest).created)).not.toContain('deployments/prod/hpa-patch.yaml');
  });

  it('edited by the user: left as it is, with the exact edit as "action needed"; making that edit ends it', async () => {
    const mine = `${LEGACY_PROD['deployments/prod/kustomization.yaml']}# tuned by the team\n`;
    const files = legacyService((f) => f.set('deployments/prod/kustomization.yaml', mine));
    const r = await run(['gen', 'k8s', '--env', 'prod', '--replicas', '5', '--yes'], files);
    expect(r.code).toBe(0);
    const lineOf = (text: string) => mine.split('\n').indexOf(text) + 1;
    expect(r.stderr).toBe(
      `action needed: deployments/prod/kustomization.yaml:${lineOf('resources:')}: this overlay does not include svc/, the component svc keeps in step with svc.yaml's deploy.environments.prod ` +
        `(image and tag, replicas, autoscaling bounds, resources, log level), so svc.yaml and svc gen k8s do not reach prod: add "components: [svc]", ` +
        `and remove what svc/ now sets: its images entry for product (line ${lineOf('  - name: product')}), its replicas entry for product (line ${mine.split('\n').lastIndexOf('  - name: product') + 1}), ` +
        `the patch deployment-patch.yaml (line ${lineOf('  - path: deployment-patch.yaml')}), the patch hpa-patch.yaml (line ${lineOf('  - path: hpa-patch.yaml')}); ` +
        `then delete deployments/prod/deployment-patch.yaml and deployments/prod/hpa-patch.yaml\n`,
    );
    expect(r.fs.files.get('deployments/prod/kustomization.yaml')).toBe(mine);
    expect(r.fs.files.get('deployments/prod/hpa-patch.yaml')).toBe(LEGACY_PROD['deployments/prod/hpa-patch.yaml']);
    expect(r.fs.files.get('deployments/prod/svc/kustomization.yaml')).toMatch(/count: 5\n/);

    // The edit, made as the line says: the next run has nothing to ask.
    const doc = parseDocument(mine);
    doc.delete('images');
    doc.delete('replicas');
    doc.delete('patches');
    doc.set('components', ['svc']);
    const fixed = new Map(r.fs.files);
    fixed.set('deployments/prod/kustomization.yaml', doc.toString());
    fixed.delete('deployments/prod/deployment-patch.yaml');
    fixed.delete('deployments/prod/hpa-patch.yaml');
    const again = await run(['gen', 'k8s', '--yes'], fixed);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
  });

  it('a patch file of it edited: the overlay is kept so the edit still applies, and the edit to make is named', async () => {
    const files = legacyService((f) => f.set('deployments/prod/hpa-patch.yaml', f.get('deployments/prod/hpa-patch.yaml')!.replace('maxReplicas: 10', 'maxReplicas: 30')));
    const r = await run(['gen', 'api', '--yes'], files);
    expect(r.code).toBe(0);
    expect(r.fs.files.get('deployments/prod/kustomization.yaml')).toBe(LEGACY_PROD['deployments/prod/kustomization.yaml']);
    expect(r.fs.files.get('deployments/prod/hpa-patch.yaml')).toMatch(/maxReplicas: 30/);
    expect(r.fs.files.get('deployments/prod/deployment-patch.yaml')).toBe(LEGACY_PROD['deployments/prod/deployment-patch.yaml']);
    expect(r.stderr).toMatch(/^action needed: deployments\/prod\/kustomization\.yaml:\d+: this overlay does not include svc\//m);
  });

  it('names a namespace that differs from svc.yaml\'s', async () => {
    const files = new Map(service);
    files.set('deployments/prod/kustomization.yaml', files.get('deployments/prod/kustomization.yaml')!.replace('namespace: product\n', 'namespace: shop\n'));
    const r = await run(['gen', 'k8s', '--yes'], files);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^action needed: deployments\/prod\/kustomization\.yaml:\d+: namespace is "shop", but svc\.yaml's deploy\.environments\.prod\.namespace is "product": set "namespace: product" here/m);
  });
});

describe('bad input: one line, the right exit code, nothing written', () => {
  const flagCases: [string, string[], number, RegExp][] = [
    ['negative replicas', ['--env', 'prod', '--replicas', '-1'], 2, /--replicas must not be negative, got -1/],
    ['replicas not a number', ['--env', 'prod', '--replicas', 'three'], 2, /--replicas must be a whole number, got "three"/],
    ['min above max', ['--env', 'dev', '--min-replicas', '5', '--max-replicas', '3'], 2, /--min-replicas 5 is above --max-replicas 3/],
    ['min above the max in svc.yaml', ['--env', 'dev', '--min-replicas', '5'], 2, /--min-replicas 5 is above svc\.yaml's deploy\.environments\.dev\.maxReplicas 2/],
    ['zero min replicas', ['--env', 'dev', '--min-replicas', '0', '--replicas', '0'], 2, /--min-replicas must be at least 1/],
    ['a malformed CPU quantity', ['--env', 'staging', '--cpu-request', '1.5cores'], 2, /--cpu-request "1\.5cores" is not a resource quantity \(e\.g\. 250m or 1\)/],
    ['a malformed memory quantity', ['--env', 'staging', '--memory-limit', '12XB'], 2, /--memory-limit "12XB" is not a resource quantity \(e\.g\. 128Mi or 1Gi\)/],
    ['a request above its limit', ['--env', 'prod', '--memory-request', '2Gi', '--memory-limit', '1Gi'], 2, /--memory-request 2Gi is above --memory-limit 1Gi/],
    ['an unknown environment', ['--env', 'qa', '--replicas', '2'], 2, /--env "qa" is not one of dev, staging, prod/],
    ['a sizing flag without --env', ['--replicas', '2'], 2, /--replicas sizes one environment: add --env dev\|staging\|prod/],
    ['a bad namespace', ['--env', 'dev', '--namespace', 'Team_A'], 2, /--namespace "Team_A" is not a valid namespace/],
    ['a bad log level', ['--env', 'dev', '--log-level', 'loud'], 2, /--log-level "loud" is not one of debug, info, warn, error/],
    ['an image with a tag', ['--image', 'registry.example.com/product:latest'], 2, /--image "registry\.example\.com\/product:latest" is not an image repository without a tag/],
    ['a bad ingress host', ['--ingress-host', 'not a host'], 2, /--ingress-host "not a host" is not a valid host name/],
  ];

  it.each(flagCases)('svc gen k8s with %s', async (_name, args, code, message) => {
    const r = await run(['gen', 'k8s', ...args, '--yes']);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.fs.writes).toBe(0);
  });

  it('svc gen k8s with an unknown flag is a usage error', async () => {
    const r = await run(['gen', 'k8s', '--replica', '2', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown option '--replica'\n\(Did you mean --replicas\?\)\n$/);
    expect(r.fs.writes).toBe(0);
  });

  const settingsCases: [string, (svc: string) => string | undefined, RegExp][] = [
    ['outside a generated service', () => undefined, /\/svc is not an svc service: no svc\.yaml/],
    ['an svc.yaml that is not YAML', () => 'name: [product\n', /svc\.yaml: invalid YAML/],
    ['an svc.yaml without a module', (s) => s.replace(/^module: .*\n/m, ''), /svc\.yaml: "module" must be a non-empty string/],
    ['negative replicas in svc.yaml', (s) => s.replace('replicas: 3', 'replicas: -3'), /svc\.yaml: deploy\.environments\.prod\.replicas must not be negative, got -3/],
    ['min above max in svc.yaml', (s) => s.replace('minReplicas: 1', 'minReplicas: 7'), /svc\.yaml: deploy\.environments\.dev\.minReplicas 7 is above deploy\.environments\.dev\.maxReplicas 2/],
    ['a bad quantity in svc.yaml', (s) => s.replace('memory: 512Mi', 'memory: 512 megs'), /deploy\.environments\.prod\.resources\.limits\.memory "512 megs" is not a resource quantity/],
    ['an unknown deploy key', (s) => s.replace('deploy:\n', 'deploy:\n  replicas: 2\n'), /svc\.yaml: unknown key "deploy\.replicas"/],
    ['a wrongly typed deploy value', (s) => s.replace('serviceMonitor: false', 'serviceMonitor: "yes"'), /svc\.yaml: "deploy\.serviceMonitor" must be a boolean, got "yes"/],
  ];

  it.each(settingsCases)('svc gen k8s and svc gen docker %s', async (_name, edit, message) => {
    const files = new Map(service);
    const text = edit(files.get('svc.yaml')!);
    if (text === undefined) files.delete('svc.yaml');
    else files.set('svc.yaml', text);
    for (const kind of ['k8s', 'docker']) {
      const r = await run(['gen', kind, '--yes'], files);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.fs.writes).toBe(0);
    }
  });
});

describe('deploy settings', () => {
  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1')).toBe(1);
    expect(parseQuantity('64Mi')).toBe(64 * 2 ** 20);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    for (const bad of ['', '-1', '1.5cores', '12XB', 'Mi', '1 Gi']) expect(parseQuantity(bad), bad).toBeUndefined();
  });

  it('the defaults are valid and flags that change nothing keep them', () => {
    const d = defaultDeploySettings('product');
    expect(applyDeployFlags(d, {})).toEqual(d);
    expect(applyDeployFlags(d, { env: 'prod', replicas: '3' })).toEqual(d);
  });
});
