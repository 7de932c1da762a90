// Sign-in: the API key is sent once to POST /v1/sessions and then forgotten; the browser
// keeps only the HttpOnly session cookie.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ProblemBox } from '../components/states.jsx';

export default function SignIn({ onSignedIn }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(e) {
    e.preventDefault();
    const input = e.currentTarget.elements.namedItem('api_key');
    const key = input.value.trim();
    setBusy(true);
    setError(null);
    try {
      const s = await api('POST', '/v1/sessions', { body: { api_key: key } });
      input.value = '';
      onSignedIn(s);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="signin" id="main">
      <h1 tabIndex={-1}>Sign in to nichematch</h1>
      <form onSubmit={submit} class="card">
        <label for="api_key">API key</label>
        <input
          id="api_key"
          name="api_key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          aria-describedby="api_key_help"
        />
        <p id="api_key_help" class="help">
          A key from <code>nichematch keys create</code>. It is exchanged for a session cookie and not kept by this page.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <ProblemBox error={error} title="Sign-in failed" />
      </form>
    </main>
  );
}
