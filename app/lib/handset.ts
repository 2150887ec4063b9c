/** The simulated handset of `number` (`/dev/phone`), set to text `to` when given. */
export const handsetUrl = (number: string, to?: string) =>
  `/dev/phone?${new URLSearchParams(to ? { number, to } : { number })}`;
