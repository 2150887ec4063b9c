// Preloaded with `node --import`: writes the file URL of every module the process
// loads to RECORD_MODULES_FILE, one a line (ES modules as they resolve, CommonJS
// modules from the require cache when the process exits). The cache also holds
// files Node only scanned for export names when an ES module imported a CommonJS
// one (react/index.js names both of its builds): those never ran and are left out.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { pathToFileURL } from "node:url";

let file = process.env.RECORD_MODULES_FILE;

/** Runs in the loader thread, which gets the file through `data`. */
export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(file, `${resolved.url}\n`);
  return resolved;
}

if (!import.meta.url.includes("?loader")) {
  register(`${import.meta.url}?loader`, { data: { file } });
  process.on("exit", () => {
    const required = Object.values(createRequire(import.meta.url).cache)
      .filter((module) => module?.loaded)
      .map((module) => pathToFileURL(module.id).href);
    appendFileSync(file, `${required.join("\n")}\n`);
  });
}
