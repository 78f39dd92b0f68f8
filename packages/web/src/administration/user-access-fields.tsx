import { useId } from 'react';
import { ROLES } from './roles';
import type { UserAccessText } from './user-access';

/**
 * Roles, provider IDs and institutions of a user (the new-user form and a user's access panel): what
 * the user may do and which studies they see (docs/security.md).
 */
export function UserAccessFields({
  value,
  onChange,
}: {
  value: UserAccessText;
  onChange: (value: UserAccessText) => void;
}) {
  const hint = useId();
  return (
    <>
      <fieldset>
        <legend>Roles</legend>
        {ROLES.map((role) => (
          <label key={role} className="checkbox">
            <input
              type="checkbox"
              checked={value.roles.includes(role)}
              onChange={(e) =>
                onChange({
                  ...value,
                  roles: e.target.checked ? [...value.roles, role] : value.roles.filter((r) => r !== role),
                })
              }
            />
            {role}
          </label>
        ))}
      </fieldset>
      <p className="hint" id={hint}>
        A referring physician sees only the studies and orders that name one of their provider IDs: one per
        line, as ID or ID^ISSUER (the issuer must then match too). Institutions, one per line, limit any user
        to studies from them.
      </p>
      <label>
        Provider IDs
        <textarea
          rows={2}
          aria-describedby={hint}
          value={value.providerIds}
          onChange={(e) => onChange({ ...value, providerIds: e.target.value })}
        />
      </label>
      <label>
        Institutions
        <textarea
          rows={2}
          aria-describedby={hint}
          value={value.institutions}
          onChange={(e) => onChange({ ...value, institutions: e.target.value })}
        />
      </label>
    </>
  );
}
