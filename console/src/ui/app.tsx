/**
 * The console's frame: settings from `/.console/config.json`, the session
 * (signing in and out, ending it when its credentials expire), the header and
 * the view the URL's fragment names. The S3 client reads the credentials
 * from this component's memory on every request.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { beginSignIn, takeCallback } from '../auth/pkce.ts';
import { assumeRole, exchangeCode, type Session } from '../auth/session.ts';
import { S3Client } from '../s3/client.ts';
import { text } from '../text.ts';
import { Account } from './account.tsx';
import { FolderView } from './browser.tsx';
import { Buckets } from './buckets.tsx';
import { explain, Notice, type NoticeValue } from './notice.tsx';
import { ObjectView } from './object-view.tsx';
import { href, useRoute } from './route.ts';

interface Settings {
  region: string;
  managementApi: boolean;
  signIn: { authorizationEndpoint: string; clientId: string; scopes: string[]; role: string | null } | null;
  signInError?: string;
}

export function App() {
  const [settings, setSettings] = useState<Settings>();
  const [session, setSession] = useState<Session>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<NoticeValue>();
  const sessionRef = useRef<Session>();
  sessionRef.current = session;
  const route = useRoute();

  // A new client when the session changes, so views reload with the new identity.
  const client = useMemo(
    () => new S3Client(location.origin, settings?.region ?? 'us-east-1', () => sessionRef.current?.credentials),
    [settings, session],
  );

  useEffect(() => {
    void (async () => {
      let loaded: Settings;
      try {
        loaded = (await (await fetch('/.console/config.json', { cache: 'no-store' })).json()) as Settings;
      } catch (error) {
        setNotice(explain(text.actions.signIn, error));
        loaded = { region: 'us-east-1', managementApi: false, signIn: null };
      }
      setSettings(loaded);
      const callback = takeCallback(text.stateMismatch);
      if (callback.kind === 'error') setNotice({ kind: 'error', message: text.signInFailed(callback.message) });
      if (callback.kind === 'code') {
        setBusy(true);
        try {
          const idToken = await exchangeCode(callback.code, callback.verifier);
          setSession(await assumeRole(idToken, loaded.signIn?.role ?? null));
          if (callback.returnTo) location.hash = callback.returnTo;
        } catch (error) {
          setNotice(explain(text.actions.signIn, error));
        } finally {
          setBusy(false);
        }
      }
    })();
  }, []);

  // Credentials end at their expiration; the console forgets them then.
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(() => {
      setSession(undefined);
      setNotice({ kind: 'info', message: text.sessionExpired });
    }, Math.max(0, session.credentials.expiration.getTime() - Date.now()));
    return () => clearTimeout(timer);
  }, [session]);

  if (!settings) return <p class="page" aria-busy="true">{text.loading}</p>;

  const signIn = settings.signIn;
  let view;
  switch (route.view) {
    case 'buckets':
      view = <Buckets client={client} />;
      break;
    case 'folder':
      view = <FolderView client={client} bucket={route.bucket} prefix={route.prefix} region={settings.region} />;
      break;
    case 'object':
      view = <ObjectView client={client} bucket={route.bucket} objectKey={route.key} region={settings.region} sessionEnds={session?.credentials.expiration} />;
      break;
    case 'account':
      view = <Account client={client} session={session} managementApi={settings.managementApi} />;
      break;
  }

  return (
    <>
      {/* The fragment holds the route: the skip link moves focus without changing it. */}
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{text.skipToContent}</a>
      <header class="top">
        <a class="brand" href={href({ view: 'buckets' })}>{text.appName}</a>
        <nav aria-label="Main">
          <a href={href({ view: 'buckets' })}>{text.nav.buckets}</a>
          {session && <a href={href({ view: 'account' })}>{text.nav.account}</a>}
        </nav>
        <div class="who" aria-live="polite">
          {busy ? text.signingIn : session ? (
            <>
              <span data-testid="signed-in">{text.signedInAs(session.subject)}, {text.sessionEnds(text.dateTime(session.credentials.expiration))}</span>{' '}
              <button type="button" onClick={() => setSession(undefined)}>{text.signOut}</button>
            </>
          ) : (
            <>
              <span class="hint">{text.anonymous}</span>{' '}
              {signIn ? (
                <button type="button" onClick={() => void beginSignIn(signIn)}>{text.signIn}</button>
              ) : (
                <span class="hint">{settings.signInError ?? text.signInUnavailable}</span>
              )}
            </>
          )}
        </div>
      </header>
      <main id="main" class="page" tabIndex={-1}>
        {notice && <Notice notice={notice} onDismiss={() => setNotice(undefined)} />}
        {view}
      </main>
    </>
  );
}
