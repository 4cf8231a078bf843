import type postgres from 'postgres';

/** How a multi-host DATABASE_URL picks its server (docs/CONTRACT.md "Configuration"). */
export const TARGET_SESSION_ATTRS = ['read-write', 'primary'] as const;

/**
 * The host:port list of a postgres:// URL (several for a multi-host URL), read as postgres.js reads it: the text
 * between `://` and the first `/` or `?`, after its first `@`.
 */
export function urlHosts(url: string): string[] {
  const authority = url.slice(url.indexOf('://') + 3).split(/[?/]/)[0] ?? '';
  const hosts = authority.slice(authority.indexOf('@') + 1);
  return hosts === '' ? [] : hosts.split(',');
}

/** The target_session_attrs of a postgres:// URL, if it names one. */
export function targetSessionAttrs(url: string): string | null {
  const at = url.indexOf('?');
  if (at === -1) return null;
  return new URLSearchParams(url.slice(at + 1).split('#')[0]).get('target_session_attrs');
}

/**
 * postgres.js options that make a multi-host URL land on the server that accepts writes.
 *
 * postgres.js takes `target_session_attrs=read-write` to mean "default_transaction_read_only is off", which a hot
 * standby of Postgres ≥ 14 reports too: with the standby listed first it connects there and every write fails
 * (seen against a real primary and standby: test/integration/pg-failover.test.ts). Its `primary` checks
 * in_hot_standby, which is what read-write means here, so read-write is asked for as primary; a multi-host URL that
 * names no target gets primary as well (the service only ever writes). Config accepts no other target.
 */
export function hostOptions(url: string): Pick<postgres.Options<Record<string, postgres.PostgresType>>, 'target_session_attrs'> {
  const asked = targetSessionAttrs(url);
  if (asked === 'read-write' || asked === 'primary' || urlHosts(url).length > 1) return { target_session_attrs: 'primary' };
  return {};
}
