/**
 * Why a form body cannot be read as the routes will read it, or null if it can.
 * Malformed multipart (no boundary, another boundary) would make a route's
 * `request.formData()` throw, a 500; a NUL byte in a field would reach
 * Postgres, which refuses it in text, another 500. Both are the client's
 * mistake: the edge answers 400 once, for every form route.
 */
export async function formBodyProblem(contentType: string, body: Uint8Array<ArrayBuffer>): Promise<string | null> {
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    return carriesNul(new TextDecoder().decode(body)) ? NUL_PROBLEM : null;
  }
  let fields: FormData;
  try {
    fields = await new Response(body, { headers: { "Content-Type": contentType } }).formData();
  } catch {
    return "Malformed multipart form data.";
  }
  for (const [name, value] of fields) {
    if (name.includes("\0") || (typeof value === "string" && value.includes("\0"))) return NUL_PROBLEM;
  }
  return null;
}

const NUL_PROBLEM = "Text may not contain NUL characters.";

/** A NUL as it arrives in a request target or urlencoded body: percent-encoded or as a raw byte. */
export function carriesNul(text: string): boolean {
  return text.includes("\0") || /%00/i.test(text);
}
