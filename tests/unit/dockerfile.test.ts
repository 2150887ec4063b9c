import { existsSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";

// Docker cannot run on the machines that run the tests: these read the Dockerfile instead.

type Instruction = { keyword: string; args: string };

function instructions(dockerfile: string): Instruction[] {
  return dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(" ") };
    });
}

/** What `npm ci` reads from the build context: the manifests, .npmrc, and what its install scripts read. */
function needsOfNpmCi(): string[] {
  const { scripts = {} } = JSON.parse(readFileSync("package.json", "utf8")) as { scripts?: Record<string, string> };
  const installScripts = ["preinstall", "install", "postinstall", "prepare"].map((name) => scripts[name] ?? "");
  const patchDir = installScripts.join(" ").match(/patch-package(?:.*--patch-dir[= ](\S+))?/);
  return [
    "package.json",
    "package-lock.json",
    ...(existsSync(".npmrc") ? [".npmrc"] : []),
    ...(patchDir ? [patchDir[1] ?? "patches"] : []),
  ];
}

const normalise = (source: string) => source.replace(/^\.\//, "").replace(/\/$/, "") || ".";

/** The files `npm ci` needs that the build stage does not copy in before running it. */
function copiedTooLate(dockerfile: string, needs: string[]): string[] {
  const steps = instructions(dockerfile);
  const npmCi = steps.findIndex((step) => step.keyword === "RUN" && /\bnpm ci\b/.test(step.args));
  if (npmCi === -1) throw new Error("no RUN npm ci in the Dockerfile");
  const stageStart = steps.findLastIndex((step, index) => index < npmCi && step.keyword === "FROM");
  const copied = steps
    .slice(stageStart + 1, npmCi)
    .filter((step) => (step.keyword === "COPY" || step.keyword === "ADD") && !step.args.includes("--from"))
    .flatMap((step) =>
      step.args
        .split(/\s+/)
        .filter((word) => !word.startsWith("--"))
        .slice(0, -1)
        .map(normalise),
    );
  if (copied.includes(".")) return [];
  return needs.filter((need) => !copied.includes(normalise(need)));
}

describe("the Dockerfile", () => {
  const dockerfile = readFileSync("Dockerfile", "utf8");

  test("copies everything npm ci reads (the postgres.js patch included) before running it", () => {
    expect(needsOfNpmCi()).toContain("patches");
    expect(copiedTooLate(dockerfile, needsOfNpmCi())).toEqual([]);
  });

  test("the check catches a patch copied only after npm ci", () => {
    const late = [
      "FROM node:20-bookworm-slim AS build",
      "COPY package.json package-lock.json ./",
      "RUN npm ci",
      "COPY . .",
    ].join("\n");
    expect(copiedTooLate(late, needsOfNpmCi())).toEqual(["patches"]);
  });

  test("the build context keeps what npm ci reads", () => {
    const ignored = readFileSync(".dockerignore", "utf8").split("\n").map(normalise);
    expect(needsOfNpmCi().filter((need) => ignored.includes(normalise(need)))).toEqual([]);
  });

  test("the image leaves typescript out after the prune", () => {
    const prune = instructions(dockerfile).find((step) => step.keyword === "RUN" && step.args.includes("npm prune"));
    expect(prune?.args).toMatch(/npm prune --omit=dev && rm -rf node_modules\/typescript\b/);
  });
});
