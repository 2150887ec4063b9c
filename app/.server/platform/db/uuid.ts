const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids from outside (URLs, cursors, webhook references) must pass this first: Postgres throws on a non-uuid compared with a uuid column. */
export const isUuid = (value: string) => UUID.test(value);
