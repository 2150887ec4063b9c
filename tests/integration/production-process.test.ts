import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { browser } from "../support/browser";

const PASSWORD = "sunny-otter-42-lamp";

/** Processes whose parent is `pid` (Linux /proc), e.g. a TypeScript loader's esbuild service. */
function childrenOf(pid: number): string[] {
  const children: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name, which sits in parentheses: state, then the parent's pid.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === pid) children.push(readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " "));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

describe("the production process", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "birdline-modules-"));
  const recorded = path.join(dir, "modules.txt");
  let app: AppProcess;
  let modules: string[];
  let children: string[];

  beforeAll(async () => {
    app = await startApp({
      DATA_DIR: "memory://",
      DATABASE_URL: undefined,
      NODE_OPTIONS: `--import ${path.resolve("tests/support/record-modules.mjs")}`,
      RECORD_MODULES_FILE: recorded,
    });
    // Render pages and run an action, so whatever a request loads lazily is loaded too.
    const visitor = browser(app.url);
    expect(await visitor.get("/login")).toHaveStatus(200);
    expect(
      await visitor.submit("/register", {
        email: "process@example.com",
        password: PASSWORD,
        confirmPassword: PASSWORD,
      }),
    ).toHaveStatus(302);
    children = childrenOf(app.process.pid!);
    await stopApp(app);
    modules = [...new Set(readFileSync(recorded, "utf8").split("\n").filter(Boolean))];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("runs compiled JavaScript with plain node: no TypeScript loader, no helper process beside it", () => {
    expect(modules.filter((url) => /\/node_modules\/(tsx|esbuild|@esbuild)\//.test(url))).toEqual([]);
    expect(children).toEqual([]);
  });

  test("runs the production builds of React and React Router, never their development builds", () => {
    expect(modules.filter((url) => /development/.test(url))).toEqual([]);
    expect(modules).toContainEqual(expect.stringMatching(/\/react\/cjs\/react\.production\.js$/));
    expect(modules).toContainEqual(expect.stringMatching(/\/react-dom\/cjs\/react-dom-server\.node\.production\.js$/));
  });
});
