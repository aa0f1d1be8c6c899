/**
 * The console's location, kept in the URL's fragment so every view has a
 * link and the back button works: `#/` buckets, `#/b/{bucket}/{prefix}` a
 * folder, `#/o/{bucket}/{key}` an object, `#/account`.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { view: 'buckets' }
  | { view: 'folder'; bucket: string; prefix: string }
  | { view: 'object'; bucket: string; key: string }
  | { view: 'account' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const match = /^\/([bo])\/([^/]+)\/?(.*)$/.exec(path);
  if (match) {
    const bucket = decodeURIComponent(match[2]!);
    const rest = decodeURIComponent(match[3] ?? '');
    return match[1] === 'b' ? { view: 'folder', bucket, prefix: rest } : { view: 'object', bucket, key: rest };
  }
  if (path === '/account') return { view: 'account' };
  return { view: 'buckets' };
}

export function href(route: Route): string {
  switch (route.view) {
    case 'buckets':
      return '#/';
    case 'account':
      return '#/account';
    case 'folder':
      return `#/b/${encodeURIComponent(route.bucket)}/${encodeURIComponent(route.prefix)}`;
    case 'object':
      return `#/o/${encodeURIComponent(route.bucket)}/${encodeURIComponent(route.key)}`;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
