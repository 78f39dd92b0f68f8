import { useCallback, useEffect, useState } from 'react';
import { AccountPage } from './account/account-page';
import { AuditPage } from './administration/audit-page';
import { UsersPage } from './administration/users-page';
import { ExceptionsPage } from './ris/exceptions-page';
import { Hl7Page } from './ris/hl7-page';
import { OrdersPage } from './ris/orders-page';
import { SchedulePage } from './ris/schedule-page';
import { WorklistPage } from './ris/worklist-page';
import { LoginPage } from './session/login-page';
import { currentSession, signOut, type Session } from './session/session-client';
import { StudyListPage } from './studies/study-list-page';
import { startCornerstone } from './viewer/cornerstone';
import { ViewerPage } from './viewer/viewer-page';

function usePath(): [URL, (to: string) => void] {
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
  return [url, navigate];
}

/** Study Instance UIDs of a deep link: comma-separated or repeated (IHE IID accepts both). */
function studyUidsOf(url: URL): string[] {
  return url.searchParams
    .getAll('StudyInstanceUIDs')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** The web app: sign-in, then the page the URL names, with navigation by what the user's roles allow. */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [url, navigate] = usePath();

  useEffect(() => {
    currentSession()
      .then(setSession)
      .catch(() => setSession(null));
    const signedOut = () => setSession(null);
    window.addEventListener('lightbox:signed-out', signedOut);
    return () => window.removeEventListener('lightbox:signed-out', signedOut);
  }, []);

  // The viewer's engine takes a few hundred milliseconds to start: start it while the user is still on
  // the study list, so opening a study shows its first image at once.
  const mayRead = session?.user.permissions.includes('study:read') === true;
  useEffect(() => {
    if (!mayRead) return;
    const idle = window.requestIdleCallback ?? ((run: () => void) => window.setTimeout(run, 200));
    idle(() => void startCornerstone().catch(() => undefined));
  }, [mayRead]);

  if (session === undefined) return null;
  if (session === null) return <LoginPage onSignedIn={setSession} />;

  const mayReadStudies = session.user.permissions.includes('study:read');
  const mayAdminister = session.user.permissions.includes('admin');
  const mayAudit = session.user.permissions.includes('audit:read');
  const permissions = session.user.permissions;
  const mayReadWorklist = permissions.includes('worklist:read');
  const mayWriteOrders = permissions.includes('order:write');
  const link = (to: string, label: string) => (
    <a
      href={to}
      aria-current={url.pathname === to ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {label}
    </a>
  );
  const page =
    url.pathname === '/account' ? (
      <AccountPage user={session.user} onSignedOut={() => setSession(null)} />
    ) : url.pathname === '/users' && mayAdminister ? (
      <UsersPage />
    ) : url.pathname === '/audit' && mayAudit ? (
      <AuditPage />
    ) : url.pathname === '/worklist' && mayReadWorklist ? (
      <WorklistPage permissions={permissions} navigate={navigate} />
    ) : url.pathname === '/schedule' && mayReadWorklist ? (
      <SchedulePage
        permissions={permissions}
        initialDate={url.searchParams.get('date') ?? undefined}
        navigate={navigate}
      />
    ) : url.pathname === '/orders' && mayWriteOrders ? (
      <OrdersPage permissions={permissions} navigate={navigate} />
    ) : url.pathname === '/exceptions' && mayWriteOrders ? (
      <ExceptionsPage />
    ) : url.pathname === '/hl7' && mayAdminister ? (
      <Hl7Page />
    ) : url.pathname === '/viewer' && mayReadStudies ? (
      <ViewerPage
        key={url.search}
        studyUids={studyUidsOf(url)}
        navigate={navigate}
        userName={session.user.displayName ?? session.user.username}
      />
    ) : mayReadStudies ? (
      <StudyListPage navigate={navigate} showExamStatus={mayReadWorklist} />
    ) : mayReadWorklist ? (
      // Schedulers see no images: their home is the department's day.
      <WorklistPage permissions={permissions} navigate={navigate} />
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
          {link('/account', 'Account')}
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
      {page}
    </div>
  );
}
