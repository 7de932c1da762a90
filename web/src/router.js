// Hash routes (#/brands, #/brands/3/edit, #/matches/3, ...): the server only ever serves
// "/", so no route needs a server-side fallback.
import { useEffect, useState } from 'preact/hooks';

export function parseHash(hash) {
  const path = (hash || '').replace(/^#\/?/, '');
  const [p, qs] = path.split('?');
  const parts = p.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(qs || '') };
}

export function useRoute() {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(path) {
  location.hash = '#/' + path.replace(/^\//, '');
}
