import { reactRouter } from "@react-router/dev/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

export default defineConfig({
  plugins: [tailwindcss(), !process.env.VITEST && reactRouter(), tsconfigPaths()],
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
  },
});
