import { useCallback, useEffect, useRef, useState } from 'react';
import { AccountPage } from './account/account-page';
import { AuditPage } from './administration/audit-page';
import { LazyPage, onDemand } from './on-demand';
import { UsersPage } from './administration/users-page';
import {
  currentEmergencyAccess,
  endEmergencyAccess,
  mayBreakTheGlass,
  sameEmergency,
  type ActiveEmergency,
} from './security/emergency-access';
import { EmergencyBanner } from './security/emergency-ui';
import { countBadge, listNotices, receivesNotices } from './security/notices';
import { NoticesPage } from './security/notices-page';
import { LoginPage } from './session/login-page';
import { SettingsPage } from './settings/settings-page';
import { useUserSettings } from './settings/use-user-settings';
import { currentSession, signOut, type Session } from './session/session-client';
import { StudyListPage } from './studies/study-list-page';
import { INVOKE_IMAGE_DISPLAY_PATH } from './viewer/image-display-request';
import { InvokeImageDisplayPage } from './viewer/invoke-image-display-page';
import { prefetchViewer, ViewerPage } from './viewer/viewer-loader';

/** The RIS screens: one chunk, loaded when the first of them is opened or about to be. */
const risPages = onDemand(() => import('./ris/ris-pages'));
const WorklistPage = risPages.component((m) => m.WorklistPage);
const SchedulePage = risPages.component((m) => m.SchedulePage);
const OrdersPage = risPages.component((m) => m.OrdersPage);
const ExceptionsPage = risPages.component((m) => m.ExceptionsPage);
const Hl7Page = risPages.component((m) => m.Hl7Page);
/** The navigation's links to RIS screens. */
const RIS_PATHS = new Set(['/worklist', '/schedule', '/orders', '/exceptions', '/hl7']);

function usePath(): [URL, (to: string) => void, (to: string) => void] {
  const [url, setUrl] = useState(() => new URL(window.location.href));
  useEffect(() => {
    const onPop = () => setUrl(new URL(window.location.href));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string) => {
    window.history.pushState(null, '', to);
    setUrl(new URL(window.location.href));
  }, []);
  // In place of the current page: Back then skips it (an IHE invocation that became the viewer).
  const redirect = useCallback((to: string) => {
    window.history.replaceState(null, '', to);
    setUrl(new URL(window.location.href));
  }, []);
  return [url, navigate, redirect];
}

/** Study Instance UIDs of a deep link: comma-separated or repeated (IHE IID accepts both). */
function studyUidsOf(url: URL): string[] {
  return url.searchParams
    .getAll('StudyInstanceUIDs')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** How often the app asks whether an emergency access is still in force (an administrator may end it). */
const EMERGENCY_POLL_MS = 30_000;
/** How often the navigation's count of open notices is refreshed. */
const NOTICE_POLL_MS = 60_000;

const pause = (ms: number) => new Promise((resolve) => window.setTimeout(resolve, ms));

/**
 * The signed-in user's emergency access (null: none in force; undefined: not known yet), kept up to date,
 * and a number that changes whenever what the user may see changes.
 */
function useEmergencyAccess(username: string | undefined, mayBreakGlass: boolean) {
  const [emergency, setEmergency] = useState<ActiveEmergency | null | undefined>(undefined);
  const [accessVersion, setAccessVersion] = useState(0);
  const known = useRef<ActiveEmergency | null | undefined>(undefined);
  const apply = useCallback((next: ActiveEmergency | null, changesAccess = true) => {
    const previous = known.current;
    known.current = next;
    if (previous !== undefined && sameEmergency(previous, next)) return;
    setEmergency(next);
    if (changesAccess) setAccessVersion((v) => v + 1);
  }, []);

  useEffect(() => {
    known.current = undefined;
    setEmergency(undefined);
    if (username === undefined || !mayBreakGlass) return;
    let stopped = false;
    currentEmergencyAccess()
      // The first answer only tells what the list already shows (unless the user was quicker).
      .then((e) => !stopped && known.current === undefined && apply(e, false))
      .catch(() => undefined);
    return () => {
      stopped = true;
    };
  }, [username, mayBreakGlass, apply]);

  const active = emergency !== null && emergency !== undefined;
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => {
      currentEmergencyAccess()
        .then((e) => apply(e))
        .catch(() => undefined);
    }, EMERGENCY_POLL_MS);
    return () => window.clearInterval(timer);
  }, [active, apply]);

  const started = useCallback((e: ActiveEmergency) => apply(e), [apply]);
  const end = useCallback(async () => {
    await endEmergencyAccess();
    apply(null);
  }, [apply]);
  // The browser's clock says it is over: wait for the server to agree (clocks differ by a little).
  const expired = useCallback(async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const now = await currentEmergencyAccess().catch(() => null);
      if (now === null || !sameEmergency(now, known.current ?? null)) {
        apply(now);
        return;
      }
      await pause(2000);
    }
    apply(null);
  }, [apply]);
  return { emergency: emergency ?? null, accessVersion, started, end, expired };
}

/** How many notices nobody acknowledged yet, for users who get notices; refreshed now and then. */
function useOpenNotices(username: string | undefined, gets: boolean) {
  const [count, setCount] = useState(0);
  useEffect(() => {
    setCount(0);
    if (username === undefined || !gets) return;
    let stopped = false;
    const refresh = () =>
      listNotices(false)
        .then((notices) => !stopped && setCount(notices.length))
        .catch(() => undefined);
    void refresh();
    const timer = window.setInterval(() => void refresh(), NOTICE_POLL_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [username, gets]);
  return [count, setCount] as const;
}

/** The web app: sign-in, then the page the URL names, with navigation by what the user's roles allow. */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [url, navigate, redirect] = usePath();
  const username = session?.user.username;
  const mayBreakGlass = session != null && mayBreakTheGlass(session.user);
  const emergency = useEmergencyAccess(username, mayBreakGlass);
  const getsNotices = session != null && receivesNotices(session.user.roles);
  const [openNotices, setOpenNotices] = useOpenNotices(username, getsNotices);
  const [settings, setSettings] = useUserSettings(username);

  useEffect(() => {
    currentSession()
      .then(setSession)
      .catch(() => setSession(null));
    const signedOut = () => setSession(null);
    window.addEventListener('lightbox:signed-out', signedOut);
    return () => window.removeEventListener('lightbox:signed-out', signedOut);
  }, []);

  // A deep link to the viewer: fetch its code while the user signs in. (Elsewhere the study list and the
  // worklist fetch it when the user is about to open a study.)
  const deepLinkToViewer = url.pathname === '/viewer' || url.pathname === INVOKE_IMAGE_DISPLAY_PATH;
  useEffect(() => {
    if (deepLinkToViewer) prefetchViewer();
  }, [deepLinkToViewer]);

  if (session === undefined) return null;
  if (session === null) return <LoginPage onSignedIn={setSession} />;

  const mayReadStudies = session.user.permissions.includes('study:read');
  const mayAdminister = session.user.permissions.includes('admin');
  const mayAudit = session.user.permissions.includes('audit:read');
  const permissions = session.user.permissions;
  const mayReadWorklist = permissions.includes('worklist:read');
  const mayWriteOrders = permissions.includes('order:write');
  const link = (to: string, label: string, count = '') => (
    <a
      href={to}
      aria-current={url.pathname === to ? 'page' : undefined}
      {...(RIS_PATHS.has(to) ? { onPointerEnter: risPages.prefetch, onFocus: risPages.prefetch } : {})}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {label}
      {count !== '' && (
        <span className="nav-count">
          {' '}
          {count}
          <span className="visually-hidden"> unacknowledged</span>
        </span>
      )}
    </a>
  );
  const page =
    // The user's settings decide how the study list and the viewer start: wait for them (one request).
    settings === undefined ? null : url.pathname === '/settings' ? (
      <SettingsPage settings={settings} onSaved={setSettings} mayAdminister={mayAdminister} />
    ) : url.pathname === '/account' ? (
      <AccountPage user={session.user} onSignedOut={() => setSession(null)} />
    ) : url.pathname === '/users' && mayAdminister ? (
      <UsersPage />
    ) : url.pathname === '/audit' && mayAudit ? (
      <AuditPage />
    ) : url.pathname === '/notices' && getsNotices ? (
      <NoticesPage onChanged={setOpenNotices} />
    ) : url.pathname === '/worklist' && mayReadWorklist ? (
      <LazyPage what="worklist">
        <WorklistPage permissions={permissions} navigate={navigate} />
      </LazyPage>
    ) : url.pathname === '/schedule' && mayReadWorklist ? (
      <LazyPage what="schedule">
        <SchedulePage
          permissions={permissions}
          initialDate={url.searchParams.get('date') ?? undefined}
          navigate={navigate}
        />
      </LazyPage>
    ) : url.pathname === '/orders' && mayWriteOrders ? (
      <LazyPage what="orders">
        <OrdersPage permissions={permissions} navigate={navigate} />
      </LazyPage>
    ) : url.pathname === '/exceptions' && mayWriteOrders ? (
      <LazyPage what="exceptions">
        <ExceptionsPage />
      </LazyPage>
    ) : url.pathname === '/hl7' && mayAdminister ? (
      <LazyPage what="HL7 monitor">
        <Hl7Page />
      </LazyPage>
    ) : url.pathname === INVOKE_IMAGE_DISPLAY_PATH ? (
      mayReadStudies ? (
        <InvokeImageDisplayPage search={url.search} redirect={redirect} />
      ) : (
        <main className="empty-page">
          <p role="alert">Your roles ({session.user.roles.join(', ') || 'none'}) give no access to images.</p>
        </main>
      )
    ) : url.pathname === '/viewer' && mayReadStudies ? (
      <LazyPage what="viewer">
        <ViewerPage
          key={url.search}
          studyUids={studyUidsOf(url)}
          navigate={navigate}
          userName={session.user.displayName ?? session.user.username}
          ownPresets={settings.viewer.windowPresets}
          ownProtocols={settings.viewer.hangingProtocols}
          dateFormat={settings.display.dateFormat}
        />
      </LazyPage>
    ) : mayReadStudies ? (
      <StudyListPage
        navigate={navigate}
        settings={settings}
        onSettingsSaved={setSettings}
        showExamStatus={mayReadWorklist}
        accessVersion={emergency.accessVersion}
        onEmergencyStarted={mayBreakGlass && emergency.emergency === null ? emergency.started : undefined}
      />
    ) : mayReadWorklist ? (
      // Schedulers see no images: their home is the department's day.
      <LazyPage what="worklist">
        <WorklistPage permissions={permissions} navigate={navigate} />
      </LazyPage>
    ) : (
      <main className="empty-page">
        <p>Your roles ({session.user.roles.join(', ') || 'none'}) give no access to studies.</p>
      </main>
    );

  return (
    <div className="app">
      <header className="app-header">
        <a
          className="brand"
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate('/');
          }}
        >
          Lightbox
        </a>
        <nav aria-label="Main">
          {mayReadStudies && link('/', 'Studies')}
          {mayReadWorklist && link('/worklist', 'Worklist')}
          {mayReadWorklist && link('/schedule', 'Schedule')}
          {mayWriteOrders && link('/orders', 'Orders')}
          {mayWriteOrders && link('/exceptions', 'Exceptions')}
          {mayAdminister && link('/hl7', 'HL7 monitor')}
          {mayAdminister && link('/users', 'Users')}
          {mayAudit && link('/audit', 'Audit trail')}
          {getsNotices && link('/notices', 'Notices', countBadge(openNotices))}
          {link('/account', 'Account')}
          {link('/settings', 'Settings')}
        </nav>
        <span className="user">{session.user.displayName ?? session.user.username}</span>
        <button
          onClick={() => {
            void signOut().then(() => setSession(null));
          }}
        >
          Sign out
        </button>
      </header>
      {emergency.emergency !== null && (
        <EmergencyBanner
          emergency={emergency.emergency}
          onEnd={emergency.end}
          onExpired={() => void emergency.expired()}
        />
      )}
      {page}
    </div>
  );
}
