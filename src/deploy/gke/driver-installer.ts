import type { KubeObject } from '../manifests/types.js';

const INSTALL_DIR_HOST = '/home/kubernetes/bin/nvidia';
const COS_TOOLS_HOST = '/var/lib/cos-tools';

/**
 * GKE's NVIDIA driver installer for Container-Optimized OS nodes (`nvidia-driver-installer` in
 * kube-system), for existing clusters whose GPU node pools were made without GKE-managed drivers.
 * Its node affinity skips nodes that GKE already gives drivers (`cloud.google.com/gke-gpu-driver-version`),
 * so applying it to any cluster is safe. The installer image is preloaded on COS GPU nodes.
 */
export function nvidiaDriverInstaller(): KubeObject {
  const labels = { 'k8s-app': 'nvidia-driver-installer' };
  const hostPath = (name: string, path: string) => ({ name, hostPath: { path } });
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'nvidia-driver-installer', namespace: 'kube-system', labels },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: { ...labels, name: 'nvidia-driver-installer' } },
        spec: {
          priorityClassName: 'system-node-critical',
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: 'cloud.google.com/gke-accelerator', operator: 'Exists' },
                      { key: 'cloud.google.com/gke-gpu-driver-version', operator: 'DoesNotExist' },
                    ],
                  },
                ],
              },
            },
          },
          tolerations: [{ operator: 'Exists' }],
          hostNetwork: true,
          hostPID: true,
          volumes: [
            hostPath('dev', '/dev'),
            hostPath('vulkan-icd-mount', `${INSTALL_DIR_HOST}/vulkan/icd.d`),
            hostPath('nvidia-install-dir-host', INSTALL_DIR_HOST),
            hostPath('root-mount', '/'),
            hostPath('cos-tools', COS_TOOLS_HOST),
          ],
          initContainers: [
            {
              name: 'nvidia-driver-installer',
              image: 'cos-nvidia-installer:fixed',
              imagePullPolicy: 'Never',
              command: ['/cos-gpu-installer', 'install', '--version=default'],
              resources: { requests: { cpu: '150m' } },
              securityContext: { privileged: true },
              env: [
                { name: 'NVIDIA_INSTALL_DIR_HOST', value: INSTALL_DIR_HOST },
                { name: 'NVIDIA_INSTALL_DIR_CONTAINER', value: '/usr/local/nvidia' },
                { name: 'VULKAN_ICD_DIR_HOST', value: `${INSTALL_DIR_HOST}/vulkan/icd.d` },
                { name: 'VULKAN_ICD_DIR_CONTAINER', value: '/etc/vulkan/icd.d' },
                { name: 'ROOT_MOUNT_DIR', value: '/root' },
                { name: 'COS_TOOLS_DIR_HOST', value: COS_TOOLS_HOST },
                { name: 'COS_TOOLS_DIR_CONTAINER', value: '/build/cos-tools' },
              ],
              volumeMounts: [
                { name: 'nvidia-install-dir-host', mountPath: '/usr/local/nvidia' },
                { name: 'vulkan-icd-mount', mountPath: '/etc/vulkan/icd.d' },
                { name: 'dev', mountPath: '/dev' },
                { name: 'root-mount', mountPath: '/root' },
                { name: 'cos-tools', mountPath: '/build/cos-tools' },
              ],
            },
          ],
          containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.9' }],
        },
      },
    },
  };
}
