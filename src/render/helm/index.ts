export { chartDirOf, chartVersion, renderHelmChart, type HelmChartOptions } from './chart.js';
export { PLATFORM_HELM_DIR, platformNamespace, renderPlatformServiceChart, renderUmbrellaChart } from './umbrella.js';
