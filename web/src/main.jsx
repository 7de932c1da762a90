// The dashboard shell: session bootstrap, sign-in, navigation, one screen at a time.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, setCsrfToken, setUnauthorizedHandler } from './api.js';
import { useRoute } from './router.js';
import { screens, screenFor } from './screens/index.js';
import SignIn from './screens/signin.jsx';
import { Loading } from './components/states.jsx';
import './style.css';

const RANK = { read: 1, write: 2, admin: 3 };

function App() {
  const [session, setSession] = useState(undefined); // undefined: checking; null: signed out
  const route = useRoute();
  const mainRef = useRef(null);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      setSession(null);
    });
    // A reload keeps the cookie; the CSRF token comes back from the session itself.
    api('GET', '/v1/sessions/current')
      .then((s) => {
        setCsrfToken(s.csrf_token);
        setSession(s);
      })
      .catch(() => setSession(null));
  }, []);

  // Move focus to the new screen's heading on navigation (keyboard and screen readers).
  useEffect(() => {
    const h = mainRef.current && mainRef.current.querySelector('h1');
    if (h) h.focus();
  }, [route.parts[0], session && session.key && session.key.id]);

  if (session === undefined) return <Loading what="Checking the session" />;
  if (session === null)
    return (
      <SignIn
        onSignedIn={(s) => {
          setCsrfToken(s.csrf_token);
          setSession(s);
        }}
      />
    );

  const screen = screenFor(route.parts);
  const Screen = screen.component;
  const role = RANK[session.key.role] || 0;

  async function signOut() {
    try {
      await api('DELETE', '/v1/sessions/current');
    } catch (e) {
      /* signed out either way */
    }
    setCsrfToken(null);
    setSession(null);
    location.hash = '';
  }

  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); mainRef.current.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brandmark">nichematch</span>
        <nav aria-label="Screens">
          <ul>
            {screens
              .filter((s) => !s.role || role >= RANK[s.role])
              .map((s) => (
                <li key={s.id}>
                  <a href={'#/' + s.id} aria-current={s.id === screen.id ? 'page' : undefined}>
                    {s.title}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <div class="who">
          <span class="muted" title="Signed in with this API key">
            {session.key.name || session.key.prefix} · {session.key.role}
          </span>
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        <Screen route={route} session={session} />
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app'));
