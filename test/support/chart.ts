// The chart install and service-account kubeconfigs are the demo's (tools/demo), shared with the suites.
export {
  type ChartRelease,
  chart,
  installChart,
  serviceAccountKubeconfig,
  serviceAccountUser,
} from '@roast-operator/demo';
