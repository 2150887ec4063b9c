import { endpoint, methodNotAllowed } from "~/.server/api/handler";
import { presentNumbers } from "~/.server/api/numbers";

export const loader = endpoint(async () => ({ status: 200, body: await presentNumbers() }));

export const action = methodNotAllowed("GET");
