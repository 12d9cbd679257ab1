/**
 * The roles a bearer token carries (DESIGN §6), weakest first. Each grants what the ones before
 * it grant: `read-only` reads, `operator` also runs VMs (their VIFs, migrations), `admin` also
 * configures pools, hosts, networks, bonds, ACLs and mirrors.
 */
export const ROLES = ['read-only', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role =>
  (ROLES as readonly string[]).includes(value);

/** Whether a token with role `held` may do what needs `needed`. */
export const grants = (held: Role, needed: Role): boolean =>
  ROLES.indexOf(held) >= ROLES.indexOf(needed);
