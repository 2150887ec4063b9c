import { parseWithZod } from "@conform-to/zod/v4";
import { useEffect, useState } from "react";
import { data, Form, redirect, useRevalidator } from "react-router";
import { requireUser } from "~/.server/identity/session";
import { preferencesOf, savePreferences } from "~/.server/notifications/preferences";
import { sendTestPush } from "~/.server/notifications/push";
import { listDevices, removeDevice } from "~/.server/notifications/subscriptions";
import { env } from "~/.server/platform/env";
import { hitLimit, retryMessage, type Limit } from "~/.server/platform/rate-limit";
import { SubmitButton } from "~/components/forms";
import { Time } from "~/components/time";
import { NotificationSettingsSchema } from "~/lib/push";
import { isStaff } from "~/lib/roles";
import { titleWithUnread } from "~/lib/unread";
import type { Route } from "./+types/settings.notifications";

// Each test is a push to every device of the account, from the server's own VAPID identity, which push services throttle.
const TEST_PUSHES: Limit = { name: "test-push", max: 5, windowMs: 10 * 60_000 };

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Notifications · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  const user = await requireUser(request);
  const [preferences, devices] = await Promise.all([preferencesOf(user.id), listDevices(user.id)]);
  const tested = new URL(request.url).searchParams.get("tested");
  return {
    staff: isStaff(user),
    // Public by design: the browser hands it to its push service to subscribe.
    vapidPublicKey: env.push.vapid?.publicKey ?? null,
    preferences,
    devices,
    tested: tested === null ? null : Number(tested) || 0,
    saved: new URL(request.url).searchParams.has("saved"),
  };
}

export async function action({ request }: Route.ActionArgs) {
  const user = await requireUser(request);
  const submission = parseWithZod(await request.formData(), { schema: NotificationSettingsSchema });
  if (submission.status !== "success") throw data("That form is out of date. Reload the page.", { status: 400 });
  const command = submission.value;
  switch (command.intent) {
    case "preferences": {
      const { intent: _, ...preferences } = command;
      await savePreferences(user.id, preferences);
      throw redirect("/settings/notifications?saved");
    }
    case "remove-device":
      if (!(await removeDevice(user.id, command.deviceId)))
        throw data("That device is not on your list any more.", { status: 404 });
      throw redirect("/settings/notifications");
    case "test": {
      const limit = await hitLimit(TEST_PUSHES, user.id);
      if (limit.limited) throw data(retryMessage(limit, "test notifications"), { status: 429 });
      throw redirect(`/settings/notifications?tested=${await sendTestPush(user)}`);
    }
  }
}

type LoaderData = Route.ComponentProps["loaderData"];

export default function Notifications({ loaderData }: Route.ComponentProps) {
  const { vapidPublicKey, devices, tested } = loaderData;
  const [thisDevice, setThisDevice] = useState<string | null>(null);
  return (
    <section aria-labelledby="notifications-heading" className="max-w-3xl space-y-8">
      <header>
        <h1 id="notifications-heading" className="text-2xl font-bold text-slate-900">
          Notifications
        </h1>
        <p className="mt-1 text-slate-600">
          Birdline can tell this device when a text comes in, even with the tab closed.
        </p>
      </header>

      <section aria-labelledby="device-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-5">
        <h2 id="device-heading" className="text-lg font-semibold">
          This device
        </h2>
        {vapidPublicKey ? (
          <PushSwitch
            vapidPublicKey={vapidPublicKey}
            registered={devices.map((device) => device.endpoint).join("\n")}
            onEndpoint={setThisDevice}
          />
        ) : (
          <p className="text-slate-700">
            Push notifications are not set up on this server. An admin turns them on with the{" "}
            <code>VAPID_PUBLIC_KEY</code>, <code>VAPID_PRIVATE_KEY</code> and <code>VAPID_SUBJECT</code> settings (see
            the README).
          </p>
        )}
      </section>

      <Devices devices={devices} thisDevice={thisDevice} tested={tested} />
      <Preferences {...loaderData} />
    </section>
  );
}

type SwitchState =
  | { kind: "checking" }
  | { kind: "unsupported" }
  | { kind: "blocked" }
  | { kind: "off"; error?: string }
  | { kind: "on" }
  | { kind: "working"; label: string };

/**
 * Where this browser stands, asked without prompting for anything. On only when the server has its subscription
 * for this sign-in (`registered`, one endpoint a line): signing out forgets it there, not in the browser.
 */
async function currentState(
  registered: string,
  vapidPublicKey: string,
): Promise<{ state: SwitchState; endpoint: string | null }> {
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window))
    return { state: { kind: "unsupported" }, endpoint: null };
  if (Notification.permission === "denied") return { state: { kind: "blocked" }, endpoint: null };
  try {
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const subscription = await registration.pushManager.getSubscription();
    const on =
      subscription !== null &&
      Notification.permission === "granted" &&
      madeFor(subscription, vapidPublicKey) &&
      registered.split("\n").includes(new URL(subscription.endpoint).href);
    return { state: on ? { kind: "on" } : { kind: "off" }, endpoint: subscription?.endpoint ?? null };
  } catch (error) {
    return {
      state: { kind: "off", error: `This browser refused the service worker: ${(error as Error).message}` },
      endpoint: null,
    };
  }
}

/**
 * Whether the browser made this subscription for the server's VAPID key: one made for a key since replaced gets nothing
 * (push services refuse what the new key signs). A browser that does not say is taken at its word.
 */
function madeFor(subscription: PushSubscription, vapidPublicKey: string) {
  const key = subscription.options.applicationServerKey;
  if (!key) return true;
  const base64 = btoa(String.fromCharCode(...new Uint8Array(key)));
  return base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "") === vapidPublicKey;
}

/** Permission is asked only after a click on "Turn on", never when the page opens. */
function PushSwitch({
  vapidPublicKey,
  registered,
  onEndpoint,
}: {
  vapidPublicKey: string;
  registered: string;
  onEndpoint(endpoint: string | null): void;
}) {
  const [state, setState] = useState<SwitchState>({ kind: "checking" });
  const { revalidate } = useRevalidator();

  useEffect(() => {
    void currentState(registered, vapidPublicKey).then(({ state, endpoint }) => {
      onEndpoint(endpoint);
      setState(state);
    });
  }, [registered, vapidPublicKey, onEndpoint]);

  async function turnOn() {
    setState({ kind: "working", label: "Turning on…" });
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        setState(permission === "denied" ? { kind: "blocked" } : { kind: "off" });
        return;
      }
      const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      // A browser keeps one subscription, and refuses a new one for another key while the old one stands.
      const stale = await registration.pushManager.getSubscription();
      if (stale && !madeFor(stale, vapidPublicKey)) await stale.unsubscribe();
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: vapidPublicKey,
      });
      const answer = await fetch("/push/subscriptions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(subscription.toJSON()),
      });
      if (!answer.ok) {
        const { error } = (await answer.json().catch(() => ({}))) as { error?: string };
        await subscription.unsubscribe();
        setState({ kind: "off", error: error ?? `The server refused this device (HTTP ${answer.status}).` });
        return;
      }
      onEndpoint(subscription.endpoint);
      setState({ kind: "on" });
      void revalidate();
    } catch (error) {
      setState({ kind: "off", error: `This browser could not subscribe: ${(error as Error).message}` });
    }
  }

  async function turnOff() {
    setState({ kind: "working", label: "Turning off…" });
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await fetch("/push/subscriptions", {
        method: "DELETE",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ endpoint: subscription.endpoint }),
      });
      await subscription.unsubscribe();
    }
    onEndpoint(null);
    setState({ kind: "off" });
    void revalidate();
  }

  const button = "rounded-lg px-4 py-2 font-semibold focus-visible:outline-2 focus-visible:outline-offset-2";
  return (
    <div aria-live="polite" className="space-y-3 text-slate-700" data-testid="push-state" data-state={state.kind}>
      <noscript>
        <p>
          Turning notifications on needs JavaScript: the browser subscribes itself. The settings below work without.
        </p>
      </noscript>
      {state.kind === "checking" ? <p className="sr-only">Checking this device…</p> : null}
      {state.kind === "unsupported" ? (
        <p>
          This browser cannot receive notifications. On an iPhone or iPad (iOS 16.4 or later), add Birdline to the Home
          Screen first (Share, then “Add to Home Screen”), open it from there and come back to this page.
        </p>
      ) : null}
      {state.kind === "blocked" ? (
        <p>
          Notifications are blocked for this site. Allow them in the browser’s site settings (the icon left of the
          address), then reload this page.
        </p>
      ) : null}
      {state.kind === "off" ? (
        <>
          <p>Notifications are off on this device.</p>
          {state.error ? (
            <p role="alert" className="text-red-700">
              {state.error}
            </p>
          ) : null}
          <button type="button" onClick={turnOn} className={`${button} bg-blue-700 text-white hover:bg-blue-800`}>
            Turn on notifications
          </button>
        </>
      ) : null}
      {state.kind === "on" ? (
        <>
          <p>
            <strong>Notifications are on</strong> for this device.
          </p>
          <button
            type="button"
            onClick={turnOff}
            className={`${button} border border-slate-300 bg-white text-slate-900 hover:bg-slate-50`}
          >
            Turn off on this device
          </button>
        </>
      ) : null}
      {state.kind === "working" ? (
        <button type="button" disabled className={`${button} bg-slate-200 text-slate-700`}>
          {state.label}
        </button>
      ) : null}
    </div>
  );
}

function Devices({
  devices,
  thisDevice,
  tested,
}: {
  devices: LoaderData["devices"];
  thisDevice: string | null;
  tested: number | null;
}) {
  return (
    <section aria-labelledby="devices-heading" className="space-y-3">
      <h2 id="devices-heading" className="text-lg font-semibold">
        Your devices
      </h2>
      {devices.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-5 text-slate-600">
          No device gets notifications yet. Turn them on above, on each computer or phone you want them on.
        </p>
      ) : (
        <ul
          aria-label="Devices that get notifications"
          className="divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white"
        >
          {devices.map((device) => (
            <li key={device.id} className="flex flex-wrap items-center justify-between gap-3 p-4">
              <div>
                <p className="font-medium text-slate-900">
                  {device.device}
                  {device.endpoint === thisDevice ? (
                    <span className="ml-2 text-sm text-blue-800">(this device)</span>
                  ) : null}
                </p>
                <p className="text-sm text-slate-600">
                  Added <Time date={device.createdAt} />
                  {device.lastPushedAt ? (
                    <>
                      {" "}
                      · last notified <Time date={device.lastPushedAt} />
                    </>
                  ) : null}
                </p>
              </div>
              <Form method="post">
                <input type="hidden" name="deviceId" value={device.id} />
                <SubmitButton
                  name="intent"
                  value="remove-device"
                  match={{ deviceId: device.id }}
                  pendingText="Removing…"
                  variant="secondary"
                >
                  Remove<span className="sr-only"> {device.device}</span>
                </SubmitButton>
              </Form>
            </li>
          ))}
        </ul>
      )}
      {devices.length > 0 ? (
        <Form method="post" className="flex flex-wrap items-center gap-3">
          <SubmitButton name="intent" value="test" pendingText="Sending…" variant="secondary">
            Send a test notification
          </SubmitButton>
          {tested !== null ? (
            <p role="status" className="text-sm text-slate-700">
              {tested === 1 ? "Sent to your device." : `Sent to your ${tested} devices.`} It arrives within seconds.
            </p>
          ) : null}
        </Form>
      ) : null}
    </section>
  );
}

function Preferences({ staff, preferences, saved }: LoaderData) {
  const choice = (name: keyof typeof preferences, label: string, hint: string) => (
    <div className="flex gap-3">
      <input
        id={name}
        type="checkbox"
        name={name}
        defaultChecked={preferences[name]}
        aria-describedby={`${name}-hint`}
        className="mt-1 size-4"
      />
      <div>
        <label htmlFor={name} className="font-medium text-slate-900">
          {label}
        </label>
        <p id={`${name}-hint`} className="text-sm text-slate-600">
          {hint}
        </p>
      </div>
    </div>
  );
  return (
    <section aria-labelledby="preferences-heading" className="space-y-3">
      <h2 id="preferences-heading" className="text-lg font-semibold">
        What to tell me about
      </h2>
      <Form method="post" className="space-y-4 rounded-xl border border-slate-200 bg-white p-5">
        {staff ? (
          <fieldset className="space-y-3">
            <legend className="sr-only">Messages</legend>
            {choice("newConversation", "A new conversation", "Someone texts one of our numbers for the first time.")}
            {choice(
              "assignedToMe",
              "Messages in my conversations",
              "A contact texts in a conversation assigned to you.",
            )}
            {choice(
              "unassigned",
              "Messages in unassigned conversations",
              "A contact texts in a conversation nobody has taken yet.",
            )}
          </fieldset>
        ) : (
          <p className="text-slate-700">You are told when the team replies to you.</p>
        )}
        {choice(
          "hideText",
          "Hide message text on the lock screen",
          "Notifications say “New message” instead of showing what was written.",
        )}
        <div className="flex items-center gap-3">
          <SubmitButton name="intent" value="preferences" pendingText="Saving…">
            Save
          </SubmitButton>
          {saved ? (
            <p role="status" className="text-sm text-slate-700">
              Saved.
            </p>
          ) : null}
        </div>
      </Form>
    </section>
  );
}
