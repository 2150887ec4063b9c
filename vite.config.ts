import { reactRouter } from "@react-router/dev/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

export default defineConfig({
  plugins: [tailwindcss(), !process.env.VITEST && reactRouter(), tsconfigPaths()],
  build: { target: "es2022" },
  ssr: {
    // Native / CommonJS packages stay external so Node loads them itself.
    external: ["@electric-sql/pglite", "@node-rs/argon2", "messagebird", "postgres"],
  },
});
