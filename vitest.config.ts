import { defineConfig } from 'vitest/config';

/**
 * Five kinds of tests:
 * - unit: pure code, no I/O, milliseconds each;
 * - integration: everything that needs the local cloud (started once per run
 *   by test/support/global-setup.ts) or synthesizes the CDK app;
 * - drills: kill -9 drills, each killing `npm start` (a child process of its
 *   own, on its own data folder) while a workflow step hangs, and starting it
 *   again; after the integration project, alone, since they start and kill
 *   whole local clouds;
 * - portal: the portal in Debian's Chromium (playwright-core) against its own
 *   stack (test/portal/global-setup.ts): each role's journey, offline visit,
 *   language switch, axe; after the drills, in a `vitest run` of its own
 *   (`npm run test:portal`): its local cloud must not share a process with
 *   the integration project's;
 * - s3-conformance: the object store against a real S3 implementation (Ceph
 *   radosgw, started by scripts/radosgw.sh). It needs Debian's radosgw
 *   packages, so `npm test` leaves it out (`--project unit --project
 *   integration --project drills`); `npm run test:s3` runs it.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Unit tests first, then the integration project (which sets its own worker count).
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/infra/**/*.test.ts',
            'test/workflow/**/*.test.ts',
            'test/e2e/**/*.test.ts',
          ],
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/cloud-env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: the local cloud runs in the main process, tests in one or two workers.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'drills',
          include: ['test/drills/**/*.test.ts'],
          // A drill waits for a step to hang, kills the process, starts it again and waits for the re-run.
          testTimeout: 180_000,
          hookTimeout: 240_000,
          // One worker: each file runs a whole local cloud (java included) on the machine's two cores.
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: 'portal',
          include: ['test/portal/**/*.test.ts'],
          // Its own stack (the local cloud, the portal server, a small demo province) and real Chromium.
          globalSetup: ['test/portal/global-setup.ts'],
          setupFiles: ['test/support/cloud-env.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // One browser at a time on the machine's two cores.
          maxWorkers: 1,
          sequence: { groupOrder: 3 },
        },
      },
      {
        test: {
          name: 's3-conformance',
          include: ['test/s3/**/*.test.ts'],
          globalSetup: ['test/s3/global-setup.ts'],
          env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          testTimeout: 30_000,
          // Ceph starts in seconds here, but give a slow machine its minute.
          hookTimeout: 180_000,
          // One file, one worker: radosgw shares the machine's two cores.
          maxWorkers: 1,
          sequence: { groupOrder: 4 },
        },
      },
    ],
  },
});
