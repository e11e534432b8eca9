import { ExclamationTriangleIcon } from '@radix-ui/react-icons';
import { Button, Callout, Code, Flex, Link, Text } from '@radix-ui/themes';
import { useMutation } from '@tanstack/react-query';
import { Link as RouterLink, useLocation, useNavigate, useSearchParams } from 'react-router';
import { errorMessage } from '../api/errors';
import { session } from '../api/session';
import { LAUNCH_ERRORS, shopifyLaunchApi } from '../api/shopify-launch';
import { useSignedIn } from '../app/auth';
import { usePageTitle } from '../app/usePageTitle';
import { AuthShell } from '../components/AuthShell';

/**
 * /shopify/welcome: where an install that started in Shopify lands (`?install=<code>&shop=<host>`,
 * or `?error=<code>`). The merchant gives the store to the shop's own SourcePilot account
 * (created the first time, signed in at once) or to an account they sign in to.
 */
export default function ShopifyWelcome() {
  usePageTitle('Connect your Shopify store');
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const signedIn = useSignedIn();
  const code = params.get('install');
  const shop = params.get('shop') ?? 'your store';
  const done = (connectionId: string) => navigate(`/connections?connected=${encodeURIComponent(connectionId)}`, { replace: true });

  const claim = useMutation({
    mutationFn: () => shopifyLaunchApi.claim(code!),
    onSuccess: ({ connection_id, ...pair }) => {
      session.store(pair);
      done(connection_id);
    },
  });
  const attach = useMutation({ mutationFn: () => shopifyLaunchApi.attach(code!), onSuccess: ({ connection_id }) => done(connection_id) });
  const failed = claim.error ?? attach.error;
  const refused = params.get('error');
  const problem = refused ? (LAUNCH_ERRORS[refused] ?? 'Shopify’s request was refused. Open SourcePilot from your Shopify admin again.') : !code ? 'This page is reached from Shopify. Open SourcePilot from your Shopify admin.' : failed ? errorMessage(failed) : null;
  const busy = claim.isPending || attach.isPending;

  return (
    <AuthShell
      title="Connect your Shopify store"
      subtitle={code ? `Shopify approved SourcePilot for ${shop}. Choose the SourcePilot account this store belongs to.` : 'Installing SourcePilot from Shopify'}
      footer={
        <Link asChild weight="medium">
          <RouterLink to="/">Go to the dashboard</RouterLink>
        </Link>
      }
    >
      <Flex direction="column" gap="4">
        {problem && (
          <Callout.Root color="red" role="alert">
            <Callout.Icon>
              <ExclamationTriangleIcon />
            </Callout.Icon>
            <Callout.Text>{problem}</Callout.Text>
          </Callout.Root>
        )}
        {code && !refused && (
          <>
            <Text size="2">
              Store <Code>{shop}</Code>
            </Text>
            {signedIn && (
              <Button size="3" disabled={busy} onClick={() => attach.mutate()}>
                Add the store to my account
              </Button>
            )}
            <Button size="3" variant={signedIn ? 'soft' : 'solid'} disabled={busy} onClick={() => claim.mutate()}>
              {signedIn ? 'Use the store’s own account instead' : 'Continue with a new account for this store'}
            </Button>
            {!signedIn && (
              <Button size="3" variant="soft" disabled={busy} onClick={() => navigate('/login', { state: { from: location } })}>
                I have an account: sign in to add the store
              </Button>
            )}
            <Text size="1" color="gray">
              The store’s own account signs in through Shopify; opening SourcePilot from Shopify again brings you back to it. This choice is valid for 10 minutes.
            </Text>
          </>
        )}
      </Flex>
    </AuthShell>
  );
}
