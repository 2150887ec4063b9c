import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    // Integration files mostly wait (on Postgres, on app processes they start): four at a time on
    // two cores halves the run (about 95 s instead of 195 s) without starving them.
    maxWorkers: 4,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.{ts,tsx}"],
          setupFiles: ["tests/setup/console.ts", "tests/setup/matchers.ts"],
          env: { DATA_DIR: "memory://", LOG_LEVEL: "silent" },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          globalSetup: ["tests/setup/embedded-database.ts"],
          setupFiles: ["tests/setup/console.ts", "tests/setup/matchers.ts", "tests/setup/integration.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
