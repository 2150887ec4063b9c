import path from "node:path";
import type { Config } from "@react-router/dev/config";

export default {
  ssr: true,
  future: {
    // Measured: removes two Request/URL copies per action call.
    v8_passThroughRequests: true,
    v8_splitRouteModules: true,
    v8_viteEnvironmentApi: true,
    v8_trailingSlashAwareDataRequests: true,
    // Not yet: with middleware, loaders get a RouterContextProvider instead of the
    // load context server.ts fills (client address, CSP nonce). Adopt it with the
    // move to React Router 8, together with context.get().
    v8_middleware: false,
  },
  // The programs `npm start`, `npm run db:migrate`, `backup` and `restore` run, and the
  // password checker's worker thread (started from a file, so it cannot be bundled into
  // the app), compiled beside the app's server build, so plain `node` runs them: no
  // TypeScript loader (and its esbuild process and loader thread) at run time.
  // Packages stay external.
  async buildEnd({ reactRouterConfig }) {
    const { build } = await import("vite");
    await build({
      configFile: false,
      logLevel: "warn",
      build: {
        ssr: true,
        target: "node20",
        outDir: path.join(reactRouterConfig.buildDirectory, "server"),
        emptyOutDir: false,
        rollupOptions: {
          input: {
            server: "server.ts",
            migrate: "app/.server/platform/db/migrate.ts",
            "password-strength-worker": "app/.server/identity/password-strength-worker.js",
            backup: "app/.server/platform/db/backup.ts",
            restore: "app/.server/platform/db/restore.ts",
          },
          output: { entryFileNames: "[name].js", chunkFileNames: "programs/[name]-[hash].js" },
        },
      },
    });
  },
} satisfies Config;
