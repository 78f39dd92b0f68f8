/**
 * A user's access as the administrator edits it: roles, and the identifiers that limit what a user sees
 * (docs/security.md): provider IDs (`ID` or `ID^ISSUER`) for referring physicians, institution names.
 * The server allows up to 50 of each, of 1–64 characters.
 */
export interface UserAccess {
  roles: string[];
  providerIds: string[];
  institutions: string[];
}

/** The two lists as the administrator types them: one value per line. */
export interface UserAccessText {
  roles: string[];
  providerIds: string;
  institutions: string;
}

export function accessText(access: UserAccess): UserAccessText {
  return {
    roles: access.roles,
    providerIds: access.providerIds.join('\n'),
    institutions: access.institutions.join('\n'),
  };
}

/** The access typed, or what is wrong with it in words. */
export function accessOf(text: UserAccessText): UserAccess | string {
  const providerIds = valuesOfLines(text.providerIds);
  const institutions = valuesOfLines(text.institutions);
  const problem = providerIdProblem(providerIds) ?? accessListProblem('institution names', institutions);
  return problem ?? { roles: text.roles, providerIds, institutions };
}

const MOST = 50;
const LONGEST = 64;

/** One value per line: trimmed, blank lines dropped, repeats kept once. */
export function valuesOfLines(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((line) => line.trim()))].filter((line) => line !== '');
}

/** What is wrong with these values for the server, in words; undefined when nothing is. */
export function accessListProblem(what: string, values: readonly string[]): string | undefined {
  if (values.length > MOST) return `At most ${MOST} ${what}.`;
  const long = values.find((v) => v.length > LONGEST);
  if (long !== undefined)
    return `Each of the ${what} is at most ${LONGEST} characters: ${long.slice(0, 20)}…`;
  return undefined;
}

/** A provider ID names its issuer at most once (`ID^ISSUER`), with both parts given. */
export function providerIdProblem(values: readonly string[]): string | undefined {
  const bad = values.find((v) => {
    const parts = v.split('^');
    return parts.length > 2 || parts.some((p) => p.trim() === '');
  });
  return bad === undefined
    ? accessListProblem('provider IDs', values)
    : `Write a provider ID as ID or ID^ISSUER: ${bad}`;
}

/**
 * What differs between the access a form was opened on and the access typed in it, so that saving sends
 * only what this administrator changed (and does not undo another's change to the rest).
 */
export function changedAccess(before: UserAccess, after: UserAccess): Partial<UserAccess> {
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((value) => b.includes(value));
  const changes: Partial<UserAccess> = {};
  for (const field of ['roles', 'providerIds', 'institutions'] as const)
    if (!same(before[field], after[field])) changes[field] = after[field];
  return changes;
}
