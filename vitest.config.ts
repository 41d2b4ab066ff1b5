import { defineConfig } from 'vitest/config';

/**
 * Two kinds of tests:
 * - unit: pure code, no I/O, milliseconds each;
 * - integration: everything that needs the local cloud (started once per run
 *   by test/support/global-setup.ts) or synthesizes the CDK app.
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
    ],
  },
});
