import { getFormProps, getSelectProps, useForm, type FieldMetadata, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ReactNode } from "react";
import { data, Form, Link, redirect } from "react-router";
import { createInvite, openInvites, revokeInvite } from "~/.server/identity/invites";
import { requireRole } from "~/.server/identity/session";
import { deactivate, listMembers, listStaff, reactivate, setRole, type AccountChange } from "~/.server/identity/team";
import { env } from "~/.server/platform/env";
import { ErrorList, FormErrors, SubmitButton } from "~/components/forms";
import { Time } from "~/components/time";
import { formatPhone } from "~/lib/phone";
import { ROLES } from "~/lib/roles";
import {
  InviteSchema,
  SetRoleSchema,
  TeamActionSchema,
  INVITE_ROLES,
  membersHref,
  parseMembersQuery,
  type MembersQuery,
} from "~/lib/team-schemas";
import type { Route } from "./+types/team";
import { titleWithUnread } from "~/lib/unread";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Team · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  const admin = await requireRole(request, "admin");
  const query = parseMembersQuery(new URL(request.url).searchParams);
  const [staff, members, invites] = await Promise.all([
    listStaff(),
    listMembers({ search: query.search, page: query.page - 1 }),
    openInvites(),
  ]);
  return { adminId: admin.id, staff, members, query, invites };
}

const LAST_ADMIN =
  "This is the last active admin. Make someone else an admin first, so someone can still manage the team.";

const notFound = () => data("This account or invite does not exist.", { status: 404 });

export async function action({ request }: Route.ActionArgs) {
  const admin = await requireRole(request, "admin");
  const formData = await request.formData();
  // Which row a refusal belongs to, so the page shows it there.
  const target = String(formData.get("userId") ?? formData.get("inviteId") ?? "");
  const submission = parseWithZod(formData, { schema: TeamActionSchema });
  if (submission.status !== "success") {
    return data(
      { intent: String(formData.get("intent")), target, result: submission.reply(), invite: null },
      { status: 400 },
    );
  }
  const command = submission.value;
  const settle = (change: AccountChange) => {
    // Back to the same page of members (the forms post to the URL they are on).
    if (change.ok) throw redirect(`/team${new URL(request.url).search}`);
    if (change.reason === "not-found") throw notFound();
    return data(
      { intent: command.intent, target, result: submission.reply({ formErrors: [LAST_ADMIN] }), invite: null },
      { status: 409 },
    );
  };
  switch (command.intent) {
    case "set-role":
      return settle(await setRole(command.userId, command.role));
    case "deactivate":
      return settle(await deactivate(command.userId));
    case "reactivate":
      return settle(await reactivate(command.userId));
    case "invite": {
      const invite = await createInvite(admin.id, command.role);
      const link = new URL(`/register?${new URLSearchParams({ invite: invite.token })}`, env.appUrl).toString();
      // Shown in this answer and never again: only the token's hash is kept.
      return data({ intent: command.intent, target, result: submission.reply(), invite: { ...invite, link } });
    }
    case "revoke-invite":
      if (!(await revokeInvite(command.inviteId))) throw notFound();
      throw redirect("/team");
  }
}

type ActionData = Route.ComponentProps["actionData"];
type Account = Route.ComponentProps["loaderData"]["staff"][number];

/** The refusal for one form on the page, if the last submission was that form. */
const answerFor = (actionData: ActionData, intent: string, target = "") =>
  actionData?.intent === intent && actionData.target === target ? actionData.result : undefined;

export default function Team({ loaderData, actionData }: Route.ComponentProps) {
  const { staff, members, query, invites, adminId } = loaderData;
  const rows = (accounts: Account[]) =>
    accounts.map((account) => (
      <AccountRow key={account.id} account={account} isYou={account.id === adminId} actionData={actionData} />
    ));
  return (
    <section aria-labelledby="team-heading" className="space-y-8">
      <header className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 id="team-heading" className="text-2xl font-bold text-slate-900">
            Team
          </h1>
          <p className="mt-1 max-w-2xl text-slate-600">
            Who may use this Birdline and what they may do. Members see their own conversation; agents and admins see
            every conversation; admins also manage the team, numbers and webhooks.
          </p>
        </div>
        <Link to="/team/numbers" className="font-medium text-brand-700 underline">
          Numbers
        </Link>
      </header>

      <InviteSection lastResult={answerFor(actionData, "invite")} created={actionData?.invite ?? undefined} />

      {invites.length > 0 ? (
        <section aria-labelledby="invites-heading" className="space-y-3">
          <h2 id="invites-heading" className="text-lg font-semibold text-slate-900">
            Open invites
          </h2>
          <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm">
            {invites.map((invite) => (
              <li key={invite.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3">
                <p className="text-sm text-slate-700">
                  <span className="font-medium text-slate-900">{roleLabel(invite.role)}</span> invite
                  {invite.createdBy ? ` from ${invite.createdBy}` : ""}, made <Time date={invite.createdAt} />, valid
                  until <Time date={invite.expiresAt} />
                </p>
                <Form method="post">
                  <RowButton field="inviteId" id={invite.id} intent="revoke-invite" pendingText="Withdrawing…">
                    Withdraw<span className="sr-only"> this {roleLabel(invite.role).toLowerCase()} invite</span>
                  </RowButton>
                </Form>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="accounts-heading" className="space-y-3">
        <h2 id="accounts-heading" className="text-lg font-semibold text-slate-900">
          Agents and admins
        </h2>
        <AccountsTable caption="Agents and admins, admins first">{rows(staff)}</AccountsTable>
      </section>

      <MembersSection query={query} more={members.more}>
        {members.members.length > 0 ? (
          <AccountsTable caption="Members, newest first">{rows(members.members)}</AccountsTable>
        ) : (
          <p className="rounded-xl border border-dashed border-slate-300 bg-white p-5 text-slate-600">
            {query.search
              ? `No member’s name, email or phone number contains “${query.search}”.`
              : query.page > 1
                ? "No more members."
                : "Nobody has signed up as a member yet."}
          </p>
        )}
      </MembersSection>
    </section>
  );
}

/** Members can be thousands: searched and paged, each link and form working without JavaScript. */
function MembersSection({ query, more, children }: { query: MembersQuery; more: boolean; children: ReactNode }) {
  const pageLink = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-brand-700";
  return (
    <section aria-labelledby="members-heading" className="space-y-3">
      <h2 id="members-heading" className="text-lg font-semibold text-slate-900">
        Members
      </h2>
      <Form method="get" action="/team" role="search" className="flex max-w-md gap-2">
        <label htmlFor="members-search" className="sr-only">
          Search members
        </label>
        <input
          id="members-search"
          type="search"
          name="q"
          defaultValue={query.search}
          maxLength={100}
          placeholder="Name, email or phone number"
          className="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 text-sm"
        />
        <button type="submit" className="btn-secondary">
          Search
        </button>
      </Form>
      {children}
      {query.page > 1 || more ? (
        <nav aria-label="Member pages" className="flex items-center gap-3">
          {query.page > 1 ? (
            <Link to={membersHref({ ...query, page: query.page - 1 })} className={pageLink}>
              ← Newer
            </Link>
          ) : null}
          <span className="text-sm text-slate-600">Page {query.page}</span>
          {more ? (
            <Link to={membersHref({ ...query, page: query.page + 1 })} className={pageLink}>
              Older →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

function AccountsTable({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    // relative: the screen-reader-only labels inside are positioned; without it they widen the page.
    <div className="relative overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {["Name", "Email", "Role", "Verified phone", "Created", "Access"].map((label) => (
              <th key={label} scope="col" className="px-3 py-2">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

const roleLabel = (role: string) => role.charAt(0).toUpperCase() + role.slice(1);
const nameOf = (account: Account) => account.name || account.email || "this account";

function AccountRow({ account, isYou, actionData }: { account: Account; isYou: boolean; actionData: ActionData }) {
  const accessErrors = [
    ...(answerFor(actionData, "deactivate", account.id)?.error?.[""] ?? []),
    ...(answerFor(actionData, "reactivate", account.id)?.error?.[""] ?? []),
  ];
  return (
    <tr className={`align-top ${account.deactivatedAt ? "bg-slate-50 text-slate-500" : ""}`}>
      <th scope="row" className="px-3 py-2 font-medium text-slate-900">
        {account.name || <span className="text-slate-500">(no name)</span>}
        {isYou ? <span className="ml-1 text-xs font-normal text-slate-500">(you)</span> : null}
      </th>
      <td className="px-3 py-2">{account.email}</td>
      <td className="px-3 py-2">
        {/* Remounted when the role changes, so the select shows the saved role. */}
        <RoleForm key={account.role} account={account} lastResult={answerFor(actionData, "set-role", account.id)} />
      </td>
      <td className="whitespace-nowrap px-3 py-2">{account.phoneNumber ? formatPhone(account.phoneNumber) : "—"}</td>
      <td className="whitespace-nowrap px-3 py-2">
        <Time date={account.createdAt} />
      </td>
      <td className="px-3 py-2">
        {account.deactivatedAt ? (
          <Form method="post" className="flex flex-wrap items-center gap-2">
            <span className="rounded bg-slate-200 px-1.5 py-0.5 text-xs font-medium text-slate-700">Deactivated</span>
            <RowButton field="userId" id={account.id} intent="reactivate" pendingText="Reactivating…">
              Reactivate<span className="sr-only"> {nameOf(account)}</span>
            </RowButton>
          </Form>
        ) : (
          <DeactivateForm account={account} isYou={isYou} />
        )}
        <ErrorList errors={accessErrors} />
      </td>
    </tr>
  );
}

function RoleForm({ account, lastResult }: { account: Account; lastResult: SubmissionResult<string[]> | undefined }) {
  const [form, fields] = useForm({
    id: `set-role-${account.id}`,
    lastResult,
    defaultValue: { role: account.role },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SetRoleSchema }),
    shouldValidate: "onSubmit",
  });
  return (
    <Form method="post" className="flex flex-wrap items-center gap-2" {...getFormProps(form)}>
      <RoleSelect field={fields.role} roles={ROLES} label={`Role of ${nameOf(account)}`} compact />
      <RowButton field="userId" id={account.id} intent="set-role" pendingText="Saving…">
        Save<span className="sr-only"> role of {nameOf(account)}</span>
      </RowButton>
      <div className="basis-full">
        <FormErrors id={form.errorId} errors={form.errors} />
        <ErrorList id={fields.role.errorId} errors={fields.role.errors} />
      </div>
    </Form>
  );
}

/** One row's submit button: its form carries the row's id, and only this row's button shows it is busy. */
function RowButton({
  field,
  id,
  intent,
  variant = "secondary",
  pendingText,
  children,
}: {
  field: "userId" | "inviteId";
  id: string;
  intent: string;
  variant?: "secondary" | "danger";
  pendingText: string;
  children: ReactNode;
}) {
  return (
    <>
      <input type="hidden" name={field} value={id} />
      <SubmitButton
        name="intent"
        value={intent}
        match={{ [field]: id }}
        variant={variant}
        pendingText={pendingText}
        className="px-3 text-sm"
      >
        {children}
      </SubmitButton>
    </>
  );
}

/** `compact`: inside a table row, where the column header already says "Role" to sighted readers. */
function RoleSelect({
  field,
  roles,
  label,
  compact = false,
}: {
  field: FieldMetadata<string>;
  roles: readonly string[];
  label: string;
  compact?: boolean;
}) {
  return (
    <>
      <label htmlFor={field.id} className={compact ? "sr-only" : "block text-sm font-medium text-slate-800"}>
        {label}
      </label>
      <select
        {...getSelectProps(field)}
        className={`rounded-md border border-slate-300 bg-white text-slate-900 ${compact ? "px-2 py-1.5 text-sm" : "mt-1 px-3 py-2"}`}
      >
        {roles.map((role) => (
          <option key={role} value={role}>
            {roleLabel(role)}
          </option>
        ))}
      </select>
    </>
  );
}

/** A disclosure, not a script dialog: the confirmation step works the same with JavaScript off. */
function DeactivateForm({ account, isYou }: { account: Account; isYou: boolean }) {
  return (
    <details className="group">
      <summary className="cursor-pointer rounded-md px-1 py-1.5 text-sm font-medium text-red-700 hover:underline">
        Deactivate…<span className="sr-only"> {nameOf(account)}</span>
      </summary>
      <Form method="post" className="mt-2 max-w-xs space-y-2 rounded-md border border-red-200 bg-red-50 p-3">
        <p className="text-sm text-red-900">
          {isYou
            ? "You will be signed out at once and cannot sign in again until another admin reactivates you."
            : `${nameOf(account)} is signed out everywhere at their next click and cannot sign in until reactivated. Nothing is deleted${account.role === "admin" ? " but the invite links they made, which stop working" : ""}.`}
        </p>
        <RowButton field="userId" id={account.id} intent="deactivate" variant="danger" pendingText="Deactivating…">
          Deactivate {nameOf(account)}
        </RowButton>
      </Form>
    </details>
  );
}

function InviteSection({
  lastResult,
  created,
}: {
  lastResult: SubmissionResult<string[]> | undefined;
  created: { link: string; role: string; expiresAt: Date } | undefined;
}) {
  const [form, fields] = useForm({
    id: "invite",
    lastResult,
    defaultValue: { role: "agent" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: InviteSchema }),
    shouldValidate: "onSubmit",
  });
  return (
    <section aria-labelledby="invite-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id="invite-heading" className="text-lg font-semibold text-slate-900">
        Invite someone to the team
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Makes a link that creates an agent or admin account. It works once, for 7 days. Anyone can still sign up as a
        member without one.
      </p>
      <Form method="post" className="mt-3 flex flex-wrap items-end gap-3" {...getFormProps(form)}>
        <div>
          <RoleSelect field={fields.role} roles={INVITE_ROLES} label="Role" />
        </div>
        <SubmitButton name="intent" value="invite" pendingText="Making a link…">
          Make invite link
        </SubmitButton>
        <div className="basis-full">
          <ErrorList id={fields.role.errorId} errors={fields.role.errors} />
        </div>
      </Form>
      {created ? (
        <div role="status" className="mt-4 rounded-md border border-green-200 bg-green-50 p-3">
          <label htmlFor="invite-link" className="block text-sm font-medium text-green-900">
            {roleLabel(created.role)} invite link
          </label>
          <input
            id="invite-link"
            readOnly
            value={created.link}
            onFocus={(event) => event.currentTarget.select()}
            className="mt-1 block w-full rounded-md border border-green-300 bg-white px-3 py-2 font-mono text-sm text-slate-900"
          />
          <p className="mt-1 text-sm text-green-900">
            Send it to the person you are inviting. It is shown only now, works once, and expires{" "}
            <Time date={created.expiresAt} />.
          </p>
        </div>
      ) : null}
    </section>
  );
}
