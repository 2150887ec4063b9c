import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, test } from "vitest";
import routes from "~/routes";
import { VIEWS } from "~/lib/inbox";
import { loader } from "~/routes/api.v1.openapi";

// The OpenAPI document as /api/v1/openapi.json serves it.

type RouteEntry = { path?: string; children?: RouteEntry[] };
type Document = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { parameters?: { name: string; schema: { enum?: string[] } }[]; responses: Record<string, unknown> }>
  >;
};

const documentServed = async () => (await loader().json()) as Document;

/** Every path React Router has under /api/v1, as OpenAPI writes it (`:id` → `{id}`); the catch-all aside. */
function apiPaths(entries: RouteEntry[], parent = ""): string[] {
  return entries.flatMap((entry) => {
    const path = [parent, entry.path].filter(Boolean).join("/");
    const own = path.startsWith("api/v1/") ? [`/${path.replace(/:(\w+)/g, "{$1}")}`] : [];
    return [...own, ...apiPaths(entry.children ?? [], path)];
  });
}

describe("/api/v1/openapi.json", () => {
  test("is a valid OpenAPI 3.1 document", async () => {
    const document = await documentServed();
    expect(document.openapi).toBe("3.1.0");
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  test("covers every /api/v1 route the router has, and nothing else", async () => {
    const document = await documentServed();
    expect(Object.keys(document.paths).sort()).toEqual(apiPaths(routes as RouteEntry[]).sort());
  });

  test("every authenticated operation documents its problems, 401 and 429 included", async () => {
    const document = await documentServed();
    for (const [path, operations] of Object.entries(document.paths)) {
      if (path.endsWith("openapi.json")) continue;
      for (const operation of Object.values(operations)) {
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["401", "429"]));
        expect(operation.responses["401"]).toMatchObject({
          content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
        });
      }
    }
  });

  test("is made from the handlers' own schemas: the list's views are the inbox's", async () => {
    const list = (await documentServed()).paths["/api/v1/conversations"]!.get!;
    expect(list.parameters?.find((parameter) => parameter.name === "view")?.schema.enum).toEqual([...VIEWS]);
  });
});
