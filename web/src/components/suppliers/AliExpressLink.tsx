import { CheckCircledIcon, ExclamationTriangleIcon, Link2Icon, ReloadIcon } from '@radix-ui/react-icons';
import { Badge, Button, Callout, DataList, Flex, IconButton, Text } from '@radix-ui/themes';
import { useMutation } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { errorMessage } from '../../api/errors';
import { supplierAccountsApi, type SupplierAccount } from '../../api/stores';
import { formatDateTime } from '../../lib/format';
import { Problem } from '../Problem';

/**
 * Linking AliExpress through SourcePilot's app (API.md §8.4): the button sends the
 * browser to AliExpress's consent screen; AliExpress sends it back to our callback,
 * which lands on /suppliers?connected=<id> or ?error=<code> (shown by LinkResult).
 */

/** What each callback error code means for the merchant. */
const LINK_ERRORS: Record<string, string> = {
  access_denied: 'You declined the authorization on AliExpress, so no account was linked.',
  invalid_state: 'This authorization link expired or was already used. Start again with Connect AliExpress.',
  invalid_request: 'AliExpress sent an incomplete answer. Start again with Connect AliExpress.',
  token_exchange_failed: 'AliExpress did not confirm the authorization. Try again in a few minutes.',
  not_configured: 'Linking AliExpress is not set up on this server. Enter your own app credentials with Connect a supplier instead.',
};

export function linkErrorMessage(code: string) {
  return LINK_ERRORS[code] ?? `Linking AliExpress failed (${code}). Try again.`;
}

/** Sends the browser to AliExpress; `name` renews the account of that name (Reconnect). */
export function ConnectAliExpressButton({ name, label = 'Connect AliExpress', variant = 'solid' }: { name?: string; label?: string; variant?: 'solid' | 'soft' }) {
  const start = useMutation({
    mutationFn: () => supplierAccountsApi.authorizeAliExpress(name),
    onSuccess: ({ authorize_url }) => window.location.assign(authorize_url),
  });
  return (
    <Flex direction="column" gap="2">
      <Button variant={variant} loading={start.isPending || start.isSuccess} onClick={() => start.mutate()}>
        {name ? <ReloadIcon /> : <Link2Icon />}
        {label}
      </Button>
      {start.isError && <Problem>{errorMessage(start.error)}</Problem>}
    </Flex>
  );
}

/** The outcome of a link that just came back from AliExpress, from the page's query. */
export function LinkResult({ accounts }: { accounts: SupplierAccount[] | undefined }) {
  const [params, setParams] = useSearchParams();
  const connected = params.get('connected');
  const error = params.get('error');
  if (!connected && !error) return null;
  const dismiss = () =>
    setParams(
      (p) => {
        p.delete('connected');
        p.delete('error');
        return p;
      },
      { replace: true },
    );
  const name = connected ? accounts?.find((a) => a.id === connected)?.name : undefined;
  return (
    <Callout.Root color={connected ? 'green' : 'red'} role={connected ? 'status' : 'alert'} mb="4">
      <Callout.Icon>{connected ? <CheckCircledIcon /> : <ExclamationTriangleIcon />}</Callout.Icon>
      <Flex gap="3" align="start" justify="between" width="100%">
        <Callout.Text>{connected ? `AliExpress account ${name ? `'${name}' ` : ''}connected. Searches, imports and price watches now use it.` : linkErrorMessage(error!)}</Callout.Text>
        <IconButton size="1" variant="ghost" color="gray" aria-label="Dismiss" onClick={dismiss}>
          ×
        </IconButton>
      </Flex>
    </Callout.Root>
  );
}

/** The card's status of an account linked through SourcePilot's app. */
export function LinkStatusBadge({ account }: { account: SupplierAccount }) {
  if (account.status === 'needs_reauth') {
    return (
      <Badge color="red" variant="soft">
        Needs reconnect
      </Badge>
    );
  }
  if (account.auth_type !== 'oauth') return null;
  return (
    <Badge color="green" variant="soft">
      Linked
    </Badge>
  );
}

/** Token expiry lines and, when AliExpress stopped accepting the authorization, the way back. */
export function LinkDetails({ account }: { account: SupplierAccount }) {
  if (account.auth_type !== 'oauth' && account.status !== 'needs_reauth') return null;
  return (
    <Flex direction="column" gap="3">
      {account.status === 'needs_reauth' && (
        <Callout.Root color="red" role="alert" size="1">
          <Callout.Icon>
            <ExclamationTriangleIcon />
          </Callout.Icon>
          <Callout.Text>{account.status_detail ?? 'AliExpress no longer accepts this authorization; reconnect the account.'}</Callout.Text>
        </Callout.Root>
      )}
      {account.auth_type === 'oauth' && (
        <DataList.Root size="2" orientation={{ initial: 'vertical', xs: 'horizontal' }}>
          <DataList.Item align="center">
            <DataList.Label minWidth="120px">Token renews</DataList.Label>
            <DataList.Value>{account.token_expires_at ? `before ${formatDateTime(account.token_expires_at)}` : '—'}</DataList.Value>
          </DataList.Item>
          <DataList.Item align="center">
            <DataList.Label minWidth="120px">Reconnect by</DataList.Label>
            <DataList.Value>
              <Text>{account.refresh_token_expires_at ? formatDateTime(account.refresh_token_expires_at) : '—'}</Text>
            </DataList.Value>
          </DataList.Item>
        </DataList.Root>
      )}
      {account.auth_type === 'oauth' && account.status === 'needs_reauth' && <ConnectAliExpressButton name={account.name} label="Reconnect" />}
    </Flex>
  );
}
