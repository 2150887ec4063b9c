import { createRequire } from "node:module";
import path from "node:path";
import { reactRouter } from "@react-router/dev/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

// React Router's package exports name only its development build, for every
// condition (remix-run/react-router#12437), so Node would load the build that
// runs dev-only checks and warnings. The production build sits beside it:
// builds bundle that one instead, into both the browser and the server code.
const reactRouterDist = path.join(
  path.dirname(createRequire(import.meta.url).resolve("react-router/package.json")),
  "dist/production",
);
const productionReactRouter = [
  { find: /^react-router$/, replacement: path.join(reactRouterDist, "index.mjs") },
  { find: /^react-router\/dom$/, replacement: path.join(reactRouterDist, "dom-export.mjs") },
];

export default defineConfig(({ command }) => ({
  plugins: [tailwindcss(), !process.env.VITEST && reactRouter(), tsconfigPaths()],
  // Not under `react-router dev`: its own Node process loads the development build, and one
  // process must not hold two routers (their contexts would not match).
  resolve: { alias: command === "build" ? productionReactRouter : [] },
  build: {
    target: "es2022",
    rollupOptions: {
      onwarn(warning, warn) {
        // Resource routes (webhooks, /events, /healthz, /logout) have no UI, so their
        // client chunk is empty by design; zod's sources carry comments Rollup cannot
        // place. Neither is actionable, and both buried real warnings on every build.
        if (warning.code === "EMPTY_BUNDLE") return;
        if (warning.code === "INVALID_ANNOTATION" && warning.id?.includes("node_modules/zod/")) return;
        warn(warning);
      },
    },
  },
  ssr: {
    // Native / CommonJS packages stay external so Node loads them itself.
    external: ["@node-rs/argon2", "messagebird", "postgres"],
    // Bundled, so the alias above applies: an external import of "react-router" (also the one
    // inside @react-router/node) would make Node load the development build after all.
    noExternal: command === "build" ? ["react-router", "@react-router/node"] : [],
  },
}));
