/**
 * The signed-in session: the API's access and refresh tokens, kept in localStorage so
 * a reload or a second tab stays signed in.
 */
const ACCESS_KEY = 'sourcepilot.access_token';
const REFRESH_KEY = 'sourcepilot.refresh_token';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
}

type Listener = () => void;
const listeners = new Set<Listener>();
// Lets the sign-in redirect tell "you logged out" (start fresh at /) from "your session
// ran out on this page" (come back here after signing in).
let endedByUser = false;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function notify() {
  for (const listener of listeners) listener();
}

if (typeof window !== 'undefined') {
  // Logging out in one tab logs out the others.
  window.addEventListener('storage', (event) => {
    if (event.key === null || event.key === ACCESS_KEY || event.key === REFRESH_KEY) notify();
  });
}

export const session = {
  accessToken: () => read(ACCESS_KEY),
  refreshToken: () => read(REFRESH_KEY),
  isSignedIn: () => read(ACCESS_KEY) !== null || read(REFRESH_KEY) !== null,

  endedByUser: () => endedByUser,

  store(pair: TokenPair) {
    endedByUser = false;
    localStorage.setItem(ACCESS_KEY, pair.access_token);
    localStorage.setItem(REFRESH_KEY, pair.refresh_token);
    notify();
  },

  clear() {
    const had = read(ACCESS_KEY) !== null || read(REFRESH_KEY) !== null;
    localStorage.removeItem(ACCESS_KEY);
    localStorage.removeItem(REFRESH_KEY);
    if (had) notify();
  },

  signOut() {
    endedByUser = true;
    session.clear();
  },

  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
