// The thread password-strength.ts runs zxcvbn on. Plain JavaScript: Node starts
// a worker from a file as it is, with no TypeScript loader, both from the
// sources (tests, dev) and from the build, which compiles it beside the server
// (react-router.config.ts).
import { parentPort, workerData } from "node:worker_threads";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as english from "@zxcvbn-ts/language-en";

const checker = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations,
  maxLength: workerData.maxLength,
});

parentPort.on("message", ({ id, password, userInputs }) => {
  const { score, feedback } = checker.check(password, userInputs);
  parentPort.postMessage({ id, score, warning: feedback.warning, suggestion: feedback.suggestions[0] ?? null });
});
