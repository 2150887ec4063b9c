// Preloaded into the app process by the bench (`node --import`): on SIGUSR2 it
// collects all garbage, then writes process.memoryUsage() as JSON to
// BENCH_MEMORY_FILE. Readings without a forced GC measure when V8 last felt
// like collecting, not what the process holds. Plain JavaScript: the app runs
// with plain node.
import { renameSync, writeFileSync } from "node:fs";
import v8 from "node:v8";
import vm from "node:vm";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
const file = process.env.BENCH_MEMORY_FILE;

process.on("SIGUSR2", () => {
  // Twice: the first pass runs finalizers that free more in the second.
  gc();
  gc();
  // Written whole, then renamed: the bench never reads half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(process.memoryUsage()));
  renameSync(`${file}.tmp`, file);
});
