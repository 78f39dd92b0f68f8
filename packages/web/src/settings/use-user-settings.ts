import { useEffect, useState } from 'react';
import { DEFAULT_SETTINGS, loadSettings, type UserSettings } from './user-settings';

/**
 * The signed-in user's settings, fetched once per sign-in (undefined until they are known), and the
 * function that takes in what the Settings page saved. When they cannot be read the app goes on with the
 * defaults: settings make work easier, they never stop it.
 */
export function useUserSettings(
  username: string | undefined,
): [UserSettings | undefined, (saved: UserSettings) => void] {
  const [settings, setSettings] = useState<UserSettings | undefined>(undefined);
  useEffect(() => {
    setSettings(undefined);
    if (username === undefined) return;
    const abort = new AbortController();
    loadSettings(abort.signal)
      .then(setSettings)
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        console.warn('settings not read; using the defaults', e);
        setSettings(DEFAULT_SETTINGS);
      });
    return () => abort.abort();
  }, [username]);
  return [settings, setSettings];
}
