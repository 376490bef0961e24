import type { Command } from 'commander';
import { neverPrompts } from './options.js';
import type { DeployFlags } from '../project/deploy.js';

export interface DeployCommandOptions {
  dir?: string;
  dryRun?: boolean;
  force?: boolean;
  flags: DeployFlags;
}

type Run = (kind: 'docker' | 'k8s', opts: DeployCommandOptions) => Promise<void>;

/** Declares `svc gen docker` and `svc gen k8s`; the flags' values are checked by the pipeline. */
export function registerDeployCommands(gen: Command, run: Run): void {
  const common = (c: Command) =>
    c
      .option('--dir <path>', 'the service folder (default: the one holding svc.yaml, from the current folder up)')
      .option('--dry-run', 'print the plan and a diff, write nothing')
      .option('--force', 'overwrite generated files edited by hand')
      .addOption(neverPrompts());

  common(gen.command('docker').description('re-generate the Dockerfile, .dockerignore and Makefile'))
    .addHelpText('after', examples(['svc gen docker                  # the Dockerfile, .dockerignore and Makefile, from svc.yaml', 'svc gen docker --dry-run        # the plan and a diff; nothing written']))
    .action(
    async (opts: { dir?: string; dryRun?: boolean; force?: boolean }) => {
      await run('docker', { ...opts, flags: {} });
    },
  );

  common(
    gen
      .command('k8s')
      .description("re-generate the Kubernetes manifests: deployments/base and each overlay's svc/ component (what svc.yaml says of the environment); the overlays themselves once")
      .option('--image <repository>', 'image repository without a tag, e.g. registry.example.com/team/product')
      .option('--ingress', 'add an Ingress to the base')
      .option('--no-ingress', 'remove the Ingress from the base')
      .option('--ingress-host <host>', 'host name of the Ingress (implies --ingress)')
      .option('--service-monitor', 'add a Prometheus-operator ServiceMonitor to the base')
      .option('--no-service-monitor', 'remove the ServiceMonitor from the base')
      .option('--env <name>', 'the environment the sizing flags below apply to: dev, staging or prod')
      .option('--namespace <name>', 'namespace of the environment')
      .option('--replicas <n>', 'starting replica count of the environment')
      .option('--min-replicas <n>', 'autoscaler lower bound of the environment')
      .option('--max-replicas <n>', 'autoscaler upper bound of the environment')
      .option('--cpu-request <quantity>', 'CPU request, e.g. 250m')
      .option('--cpu-limit <quantity>', 'CPU limit, e.g. 1')
      .option('--memory-request <quantity>', 'memory request, e.g. 128Mi')
      .option('--memory-limit <quantity>', 'memory limit, e.g. 512Mi')
      .option('--log-level <level>', 'log level of the environment: debug, info, warn or error')
      .addHelpText(
        'after',
        examples([
          'svc gen k8s --image registry.example.com/team/product     # every environment deploys this repository',
          'svc gen k8s --env prod --replicas 5 --max-replicas 20      # prod\'s sizing, in svc.yaml and deployments/prod/svc/',
          'svc gen k8s --ingress-host api.example.com                 # an Ingress in the base',
          'kubectl kustomize deployments/prod                         # what prod deploys now',
        ]),
      ),
  ).action(async (opts: DeployFlags & { dir?: string; dryRun?: boolean; force?: boolean; yes?: boolean }) => {
    const { dir, dryRun, force, yes: _yes, ...flags } = opts;
    const o: DeployCommandOptions = { flags };
    if (dir !== undefined) o.dir = dir;
    if (dryRun !== undefined) o.dryRun = dryRun;
    if (force !== undefined) o.force = force;
    await run('k8s', o);
  });
}

/** A help text's `Examples:` block. */
function examples(lines: string[]): string {
  return ['', 'Examples:', ...lines.map((l) => `  ${l}`)].join('\n');
}
