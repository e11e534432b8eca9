import { useSyncExternalStore } from 'react';
import { Navigate, Outlet, useLocation, type Location } from 'react-router';
import { session } from '../api/session';

export function useSignedIn(): boolean {
  return useSyncExternalStore(session.subscribe, session.isSignedIn);
}

interface RedirectState {
  from?: Pick<Location, 'pathname' | 'search' | 'hash'>;
}

/** Protected pages: signed-out visitors go to /login, which brings them back here. */
export function RequireAuth() {
  const signedIn = useSignedIn();
  const location = useLocation();
  if (!signedIn) {
    const state: RedirectState | undefined = session.endedByUser() ? undefined : { from: location };
    return <Navigate to="/login" replace state={state} />;
  }
  return <Outlet />;
}

/**
 * Login and register: once a session exists (including right after signing in) the
 * visitor moves on to where they were headed, or the dashboard.
 */
export function PublicOnly() {
  const signedIn = useSignedIn();
  const location = useLocation();
  if (signedIn) {
    const from = (location.state as RedirectState | null)?.from;
    const to = from && from.pathname !== '/login' && from.pathname !== '/register' ? from : '/';
    return <Navigate to={to} replace />;
  }
  return <Outlet />;
}
