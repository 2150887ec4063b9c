import { problemResponse } from "~/.server/api/problem";
import { problemOf } from "~/.server/platform/problem";

// Anything under /api that is no endpoint: a problem document, not the site's HTML 404 page.
const notFound = () =>
  problemResponse(problemOf(404, "No such endpoint. The API is described at /api/v1/openapi.json."));

export const loader = notFound;
export const action = notFound;
