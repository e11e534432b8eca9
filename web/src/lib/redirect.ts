/**
 * Leaves the dashboard for an address the API handed out (Stripe Checkout, the billing
 * portal, or back to /billing in mock mode). Its own module so tests can observe it.
 */
export function redirectTo(url: string) {
  window.location.assign(url);
}
