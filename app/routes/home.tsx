import { Link, useRouteLoaderData } from "react-router";
import type { loader as rootLoader } from "~/root";

const features = [
  {
    title: "One thread per phone",
    text: "Every SMS your customers send to your MessageBird number lands in a thread, even from numbers nobody has claimed yet.",
  },
  {
    title: "Reply from the browser",
    text: "Answers go out through MessageBird and show whether they were sent, delivered or failed — live, without reloading.",
  },
  {
    title: "Works without JavaScript",
    text: "Every page and form is a plain HTML form first. Scripts make it faster, never required.",
  },
  {
    title: "Yours to run",
    text: "One container and Postgres, or npm start on a laptop with an embedded database and a built-in SMS simulator.",
  },
];

export default function Home() {
  const user = useRouteLoaderData<typeof rootLoader>("root")?.user;
  return (
    <div className="space-y-14">
      <section className="grid items-center gap-10 md:grid-cols-2">
        <div>
          <h1 className="text-4xl font-bold tracking-tight text-brand-900 sm:text-5xl">
            Your customers text. You answer — together.
          </h1>
          <p className="mt-4 text-lg text-slate-600">
            Birdline is a self-hostable two-way SMS inbox on MessageBird. Sign up, verify your phone, and every message
            you exchange with the service number shows up as a live conversation.
          </p>
          <div className="mt-8 flex flex-wrap gap-3">
            {user ? (
              <Link to="/messages" className="btn-primary px-5 py-3">
                Open your inbox
              </Link>
            ) : (
              <>
                <Link to="/register" className="btn-primary px-5 py-3">
                  Create an account
                </Link>
                <Link to="/login" className="btn-secondary px-5 py-3">
                  Sign in
                </Link>
              </>
            )}
          </div>
        </div>
        <ThreadPreview />
      </section>

      <section aria-labelledby="features-heading">
        <h2 id="features-heading" className="sr-only">
          What Birdline does
        </h2>
        <ul className="grid gap-4 sm:grid-cols-2">
          {features.map((feature) => (
            <li key={feature.title} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
              <h3 className="font-semibold text-slate-900">{feature.title}</h3>
              <p className="mt-1 text-slate-600">{feature.text}</p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function ThreadPreview() {
  return (
    <figure aria-label="An example conversation" className="rounded-2xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex items-center justify-between border-b border-slate-100 pb-3">
        <span className="font-semibold">+31 6 1234 5678</span>
        <span className="rounded-full bg-green-100 px-2 py-0.5 text-xs font-medium text-green-800">live</span>
      </div>
      <ol className="mt-4 space-y-3 text-sm">
        <li className="max-w-[80%] rounded-2xl rounded-bl-sm bg-slate-100 px-4 py-2">
          Hi! Is my order shipping today?
        </li>
        <li className="ml-auto max-w-[80%] rounded-2xl rounded-br-sm bg-brand-600 px-4 py-2 text-white">
          It left the warehouse an hour ago — tracking link on its way.
          <span className="mt-1 block text-right text-xs text-brand-100">Delivered ✓✓</span>
        </li>
        <li className="max-w-[80%] rounded-2xl rounded-bl-sm bg-slate-100 px-4 py-2">Perfect, thanks!</li>
      </ol>
    </figure>
  );
}
