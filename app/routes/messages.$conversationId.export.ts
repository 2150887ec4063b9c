import { data } from "react-router";
import { findVisibleConversation } from "~/.server/conversations/access";
import { conversationCsv, exportFileName } from "~/.server/conversations/export";
import { requireRole } from "~/.server/identity/session";
import { CONTACT_DATA_ROLE } from "~/lib/roles";
import { csvDownload } from "~/.server/platform/csv";
import { log } from "~/.server/platform/log";
import type { Route } from "./+types/messages.$conversationId.export";

/** GET /messages/:id/export.csv: the whole conversation as a spreadsheet, for admins. */
export async function loader({ request, params }: Route.LoaderArgs) {
  const admin = await requireRole(request, CONTACT_DATA_ROLE);
  const conversation = await findVisibleConversation(admin, params.conversationId);
  if (!conversation) throw data("This conversation does not exist.", { status: 404 });
  const { csv, count } = await conversationCsv(conversation);
  // Who took which conversation away, and when; never what it said.
  log.info("conversation exported", { userId: admin.id, conversationId: conversation.id, messages: count });
  return csvDownload(csv, exportFileName(conversation));
}
