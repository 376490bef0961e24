/**
 * A platform (the seed's monorepo) as the renderers of its root files see
 * it: its services and the calls between them. Built from the services'
 * svc.yaml files by the pipeline.
 */

/** One service of the platform. */
export interface PlatformService {
  /** Its name: a DNS label, also the folder under services/. */
  name: string;
  /** Its folder relative to the platform root: services/<name>. */
  dir: string;
  /** The prefix of its configuration's environment variables (PRODUCT). */
  envPrefix: string;
  /** Its container ports: the API listeners and the admin one (metrics). */
  ports: { http?: number; grpc?: number; admin: number };
  database: 'sql' | 'memory';
  /** The event broker it is built for (svc.yaml features.events); memory: none outside the process. */
  events?: 'memory' | 'nats' | 'kafka';
  /** Its read cache (svc.yaml features.cache); redis: the stack runs Redis for it. */
  cache?: 'off' | 'memory' | 'redis';
  /** The other platform services it calls through generated clients. */
  calls: string[];
  /** Image repository without a tag (svc.yaml deploy.image). */
  image: string;
  /** It serves gRPC too. */
  grpc: boolean;
  /** Its contract's version: the image tag of staging and prod. */
  version?: string;
}

export interface Platform {
  name: string;
  /** The Go module of the platform root, which holds shared/pkg. */
  module: string;
  services: PlatformService[];
}
