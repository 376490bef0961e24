import type { Command } from 'commander';
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
      .option('--dir <path>', 'the service folder (default: the current folder)')
      .option('--dry-run', 'print the plan and a diff, write nothing')
      .option('--force', 'overwrite generated files edited by hand')
      .option('-y, --yes', 'never prompt');

  common(gen.command('docker').description('re-generate the Dockerfile, .dockerignore and Makefile')).action(
    async (opts: { dir?: string; dryRun?: boolean; force?: boolean }) => {
      await run('docker', { ...opts, flags: {} });
    },
  );

  common(
    gen
      .command('k8s')
      .description('re-generate the Kubernetes manifests (deployments/base; the dev, staging and prod overlays once)')
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
      .option('--log-level <level>', 'log level of the environment: debug, info, warn or error'),
  ).action(async (opts: DeployFlags & { dir?: string; dryRun?: boolean; force?: boolean; yes?: boolean }) => {
    const { dir, dryRun, force, yes: _yes, ...flags } = opts;
    const o: DeployCommandOptions = { flags };
    if (dir !== undefined) o.dir = dir;
    if (dryRun !== undefined) o.dryRun = dryRun;
    if (force !== undefined) o.force = force;
    await run('k8s', o);
  });
}
