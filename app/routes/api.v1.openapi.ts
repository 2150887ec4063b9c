import { methodNotAllowed } from "~/.server/api/handler";
import { openApiDocument } from "~/.server/api/openapi";

// Public like any API reference: it describes the API and holds no data.
export const loader = () => Response.json(openApiDocument());

export const action = methodNotAllowed("GET");
