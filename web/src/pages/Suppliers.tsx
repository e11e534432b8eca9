import { ArchiveIcon, InfoCircledIcon, Pencil1Icon, PlusIcon } from '@radix-ui/react-icons';
import { Badge, Box, Button, Callout, Card, Code, DataList, Dialog, Flex, Grid, Heading, RadioCards, Select, Switch, Text } from '@radix-ui/themes';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/errors';
import { SUPPLIER_PLATFORMS, supplierAccountsApi, supplierAccountsQuery, supplierPlatformOf, type SupplierAccount, type SupplierPlatform } from '../api/stores';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FormField } from '../components/FormField';
import { LoadingCards } from '../components/LoadingCards';
import { PageHeader } from '../components/PageHeader';
import { Problem } from '../components/Problem';
import { EmptyState, ErrorState } from '../components/States';
import { formatDate } from '../lib/format';

/** The credential fields each supplier's API needs, under the keys the adapters read. */
const CREDENTIAL_FIELDS: Record<SupplierPlatform, { key: string; label: string; secret: boolean; placeholder?: string; hint?: string }[]> = {
  aliexpress: [
    { key: 'app_key', label: 'App key', secret: false, placeholder: 'e.g. 503012', hint: 'From your app in the AliExpress Open Platform console (Dropshipping API).' },
    { key: 'app_secret', label: 'App secret', secret: true },
    { key: 'access_token', label: 'Access token', secret: true, hint: 'The token you get after authorising the app with your AliExpress account.' },
  ],
  cjdropshipping: [{ key: 'api_key', label: 'API key', secret: true, placeholder: 'CJUserNum@api@…', hint: 'In CJ Dropshipping: My CJ › Authorization › API, then generate the API key.' }],
  spocket: [],
};

const COUNTRIES = ['US', 'GB', 'CA', 'AU', 'DE', 'FR', 'ES', 'IT', 'NL', 'BE', 'SE', 'PL', 'BR', 'MX', 'JP', 'KR', 'IL', 'AE', 'SA', 'NZ'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'BRL', 'MXN', 'JPY', 'KRW', 'PLN', 'SEK', 'NZD'];
const regionNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(undefined, { type: 'region' }) : null;
const currencyNames = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(undefined, { type: 'currency' }) : null;
const countryName = (code: string) => regionNames?.of(code) ?? code;
const currencyName = (code: string) => currencyNames?.of(code) ?? code;

const LABELS: Record<string, string> = { api_key: 'API key', app_key: 'App key', app_secret: 'App secret', access_token: 'Access token' };
const humanise = (key: string) => {
  if (LABELS[key]) return LABELS[key];
  const words = key.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function PlatformBadge({ platform }: { platform: string }) {
  const known = supplierPlatformOf(platform);
  return (
    <Badge color={known ? SUPPLIER_PLATFORMS[known].color : 'gray'} variant="soft">
      {known ? SUPPLIER_PLATFORMS[known].label : platform}
    </Badge>
  );
}

function SpocketNote() {
  return (
    <Callout.Root color="blue">
      <Callout.Icon>
        <InfoCircledIcon />
      </Callout.Icon>
      <Callout.Text>
        Spocket has no public API, so there are no credentials to enter. Spocket products come from SourcePilot’s demo catalogue until a Spocket partner connection
        exists; use Spocket’s own app to push Spocket products to your store.
      </Callout.Text>
    </Callout.Root>
  );
}

function ChoiceField({ label, value, options, describe, onChange }: { label: string; value: string; options: string[]; describe: (code: string) => string; onChange: (v: string) => void }) {
  const id = useId();
  const all = value && !options.includes(value) ? [value, ...options] : options;
  return (
    <Flex direction="column" gap="1" minWidth="0">
      <Text as="label" htmlFor={id} size="2" weight="medium">
        {label}
      </Text>
      <Select.Root size="3" value={value} onValueChange={onChange}>
        <Select.Trigger id={id} />
        <Select.Content position="popper">
          {all.map((code) => (
            <Select.Item key={code} value={code}>
              {describe(code)} ({code})
            </Select.Item>
          ))}
        </Select.Content>
      </Select.Root>
    </Flex>
  );
}

interface AccountFormValues {
  platform: SupplierPlatform | null;
  name: string;
  credentials: Record<string, string>;
  shipTo: string;
  currency: string;
}

function AccountForm({
  initial,
  account,
  pending,
  error,
  submitLabel,
  onSubmit,
}: {
  initial: AccountFormValues;
  /** The account being edited (its masked credentials say what is saved). */
  account?: SupplierAccount;
  pending: boolean;
  error: unknown;
  submitLabel: string;
  onSubmit: (values: AccountFormValues, replaceCredentials: boolean) => void;
}) {
  const [values, setValues] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (patch: Partial<AccountFormValues>) => setValues((v) => ({ ...v, ...patch }));
  const fields = values.platform ? CREDENTIAL_FIELDS[values.platform] : [];
  const editing = !!account;

  function submit(event: FormEvent) {
    event.preventDefault();
    const filled = fields.filter((f) => values.credentials[f.key]?.trim());
    let found: string | null = null;
    if (!editing && !values.platform) found = 'Choose the supplier platform.';
    else if (!values.name.trim()) found = 'Give the account a name.';
    // New credentials replace the saved set, so a change needs every field again.
    else if ((!editing || filled.length > 0) && filled.length < fields.length) found = `Enter ${fields.map((f) => f.label.toLowerCase()).join(', ')}.`;
    setProblem(found);
    if (!found) onSubmit(values, filled.length > 0);
  }

  return (
    <form onSubmit={submit} noValidate>
      <Flex direction="column" gap="4">
        {problem ? <Problem>{problem}</Problem> : error ? <Problem>{errorMessage(error)}</Problem> : null}
        {!editing && (
          <Box>
            <Text as="div" size="2" weight="medium" mb="2" id="supplier-platform-label">
              Supplier
            </Text>
            <RadioCards.Root aria-labelledby="supplier-platform-label" columns={{ initial: '1', xs: '3' }} value={values.platform ?? ''} onValueChange={(p) => set({ platform: p as SupplierPlatform, credentials: {} })}>
              {(Object.keys(SUPPLIER_PLATFORMS) as SupplierPlatform[]).map((p) => (
                <RadioCards.Item key={p} value={p}>
                  <Text weight="bold">{SUPPLIER_PLATFORMS[p].label}</Text>
                </RadioCards.Item>
              ))}
            </RadioCards.Root>
          </Box>
        )}
        {values.platform === 'spocket' && <SpocketNote />}
        <FormField label="Account name" placeholder="e.g. Main account" value={values.name} maxLength={255} onChange={(e) => set({ name: e.target.value })} />
        {editing && fields.length > 0 && (
          <Text size="2" color="gray">
            To change the credentials, enter all of them again. Leave them empty to keep the saved ones.
          </Text>
        )}
        {fields.map((f) => (
          <FormField
            key={f.key}
            label={f.label}
            type={f.secret ? 'password' : 'text'}
            autoComplete="off"
            placeholder={editing ? `Saved: ${account?.credentials?.[f.key] ?? 'nothing'}` : f.placeholder}
            value={values.credentials[f.key] ?? ''}
            maxLength={4000}
            onChange={(e) => set({ credentials: { ...values.credentials, [f.key]: e.target.value } })}
            hint={editing ? undefined : f.hint}
          />
        ))}
        {values.platform && values.platform !== 'spocket' && (
          <Grid columns={{ initial: '1', xs: '2' }} gap="4">
            <ChoiceField label="Ship to" value={values.shipTo} options={COUNTRIES} describe={countryName} onChange={(shipTo) => set({ shipTo })} />
            {values.platform === 'aliexpress' && <ChoiceField label="Currency" value={values.currency} options={CURRENCIES} describe={currencyName} onChange={(currency) => set({ currency })} />}
          </Grid>
        )}
        {fields.length > 0 && (
          <Text size="1" color="gray">
            Credentials are encrypted before they are stored; only the last four characters are ever shown.
          </Text>
        )}
      </Flex>
      <Flex gap="3" mt="5" justify="end">
        <Dialog.Close>
          <Button type="button" variant="soft" color="gray" size="3">
            Cancel
          </Button>
        </Dialog.Close>
        <Button type="submit" size="3" loading={pending}>
          {submitLabel}
        </Button>
      </Flex>
    </form>
  );
}

function settingsOf(v: AccountFormValues): Record<string, string> | null {
  if (v.platform === 'aliexpress') return { ship_to_country: v.shipTo, target_currency: v.currency };
  if (v.platform === 'cjdropshipping') return { ship_to_country: v.shipTo };
  return null;
}

function credentialsOf(v: AccountFormValues) {
  const fields = v.platform ? CREDENTIAL_FIELDS[v.platform] : [];
  return fields.length ? Object.fromEntries(fields.map((f) => [f.key, v.credentials[f.key].trim()])) : null;
}

const emptyForm: AccountFormValues = { platform: null, name: '', credentials: {}, shipTo: 'US', currency: 'USD' };

function ConnectSupplierDialog({ label = 'Connect a supplier' }: { label?: string }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const create = useMutation({
    mutationFn: (v: AccountFormValues) => supplierAccountsApi.create({ name: v.name.trim(), platform: v.platform!, credentials: credentialsOf(v), settings: settingsOf(v) }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: supplierAccountsQuery.queryKey });
      setOpen(false);
    },
  });
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) create.reset();
      }}
    >
      <Dialog.Trigger>
        <Button size="3">
          <PlusIcon /> {label}
        </Button>
      </Dialog.Trigger>
      <Dialog.Content maxWidth="560px" aria-describedby={undefined}>
        <Dialog.Title>Connect a supplier</Dialog.Title>
        {open && <AccountForm initial={emptyForm} pending={create.isPending} error={create.error} submitLabel="Connect supplier" onSubmit={(v) => create.mutate(v)} />}
      </Dialog.Content>
    </Dialog.Root>
  );
}

function EditSupplierDialog({ account }: { account: SupplierAccount }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const platform = supplierPlatformOf(account.platform);
  const settings = (account.settings ?? {}) as Record<string, string | number | boolean | null>;
  const update = useMutation({
    mutationFn: ({ v, replace }: { v: AccountFormValues; replace: boolean }) =>
      supplierAccountsApi.update(account.id, {
        ...(v.name.trim() !== account.name ? { name: v.name.trim() } : {}),
        ...(replace ? { credentials: credentialsOf(v) } : {}),
        ...(settingsOf(v) ? { settings: { ...settings, ...settingsOf(v) } } : {}),
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: supplierAccountsQuery.queryKey });
      setOpen(false);
    },
  });
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) update.reset();
      }}
    >
      <Dialog.Trigger>
        <Button variant="soft" color="gray" size="2" aria-label={`Edit ${account.name}`}>
          <Pencil1Icon /> Edit
        </Button>
      </Dialog.Trigger>
      <Dialog.Content maxWidth="560px" aria-describedby={undefined}>
        <Dialog.Title>Edit “{account.name}”</Dialog.Title>
        {open && (
          <AccountForm
            initial={{
              platform,
              name: account.name,
              credentials: {},
              shipTo: typeof settings.ship_to_country === 'string' ? settings.ship_to_country : 'US',
              currency: typeof settings.target_currency === 'string' ? settings.target_currency : 'USD',
            }}
            account={account}
            pending={update.isPending}
            error={update.error}
            submitLabel="Save changes"
            onSubmit={(v, replace) => update.mutate({ v, replace })}
          />
        )}
      </Dialog.Content>
    </Dialog.Root>
  );
}

function DeleteSupplierDialog({ account }: { account: SupplierAccount }) {
  const queryClient = useQueryClient();
  return (
    <ConfirmDialog
      trigger={
        <Button variant="soft" color="red" size="2" aria-label={`Delete ${account.name}`}>
          Delete
        </Button>
      }
      title={<>Delete “{account.name}”?</>}
      description="Its credentials are erased. Searches and imports for this supplier use another active account, or the demo catalogue when there is none."
      confirmLabel="Delete account"
      onConfirm={() => supplierAccountsApi.remove(account.id)}
      onConfirmed={() => queryClient.invalidateQueries({ queryKey: supplierAccountsQuery.queryKey })}
    />
  );
}

function AccountCard({ account }: { account: SupplierAccount }) {
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: (isActive: boolean) => supplierAccountsApi.update(account.id, { is_active: isActive }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: supplierAccountsQuery.queryKey }),
  });
  const switchId = useId();
  const credentials = Object.entries(account.credentials ?? {});
  const settings = (account.settings ?? {}) as Record<string, unknown>;
  const isSpocket = supplierPlatformOf(account.platform) === 'spocket';
  return (
    <Card size="3" asChild>
      <article aria-label={account.name} data-account-id={account.id}>
        <Flex direction="column" gap="3" height="100%">
          <Flex justify="between" align="start" gap="3">
            <Box minWidth="0">
              <Heading as="h2" size="4" trim="start" truncate>
                {account.name}
              </Heading>
              <Text as="p" size="1" color="gray" mt="1">
                Added {formatDate(account.created_at)}
              </Text>
            </Box>
            <Flex gap="2" flexShrink="0" wrap="wrap" justify="end">
              <PlatformBadge platform={account.platform} />
              <Badge color={account.is_active ? 'green' : 'gray'} variant="outline">
                {account.is_active ? 'Active' : 'Inactive'}
              </Badge>
            </Flex>
          </Flex>
          {credentials.length > 0 || typeof settings.ship_to_country === 'string' ? (
            <DataList.Root size="2" orientation={{ initial: 'vertical', xs: 'horizontal' }}>
              {credentials.map(([key, masked]) => (
                <DataList.Item key={key} align="center">
                  <DataList.Label minWidth="120px">{humanise(key)}</DataList.Label>
                  <DataList.Value>
                    <Code variant="ghost">{masked ?? '—'}</Code>
                  </DataList.Value>
                </DataList.Item>
              ))}
              {typeof settings.ship_to_country === 'string' && (
                <DataList.Item align="center">
                  <DataList.Label minWidth="120px">Ships to</DataList.Label>
                  <DataList.Value>
                    {countryName(settings.ship_to_country)}
                    {typeof settings.target_currency === 'string' && ` · prices in ${settings.target_currency}`}
                  </DataList.Value>
                </DataList.Item>
              )}
            </DataList.Root>
          ) : (
            <Text size="2" color="gray">
              {isSpocket ? 'No credentials needed: Spocket products come from the demo catalogue.' : 'No credentials saved: searches use the demo catalogue.'}
            </Text>
          )}
          {toggle.isError && <Problem>{errorMessage(toggle.error)}</Problem>}
          <Flex gap="3" wrap="wrap" align="center" justify="between" mt="auto">
            <Text as="label" size="2" htmlFor={switchId}>
              <Flex gap="2" align="center">
                <Switch id={switchId} checked={account.is_active} disabled={toggle.isPending} onCheckedChange={(on) => toggle.mutate(on)} aria-label={`Use ${account.name}`} />
                Use this account
              </Flex>
            </Text>
            <Flex gap="2">
              <EditSupplierDialog account={account} />
              <DeleteSupplierDialog account={account} />
            </Flex>
          </Flex>
        </Flex>
      </article>
    </Card>
  );
}

export default function Suppliers() {
  const accounts = useQuery(supplierAccountsQuery);
  const items = accounts.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Suppliers"
        description="Your supplier accounts. With an active account SourcePilot searches and imports from the supplier’s live API; without one it uses the demo catalogue."
        actions={items.length > 0 ? <ConnectSupplierDialog /> : undefined}
      />
      {accounts.isPending ? (
        <LoadingCards
          label="Loading supplier accounts"
          lines={[
            { width: '45%', height: '24px' },
            { width: '70%', height: '18px' },
            { width: '55%', height: '18px' },
          ]}
        />
      ) : accounts.isError ? (
        <ErrorState title="Could not load your supplier accounts" error={accounts.error} onRetry={() => void accounts.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={<ArchiveIcon />} title="No supplier accounts yet" action={<ConnectSupplierDialog label="Connect your first supplier" />}>
          Add your AliExpress or CJ Dropshipping API credentials to search and import live products. Credentials are encrypted and only a masked hint is shown.
        </EmptyState>
      ) : (
        <Grid columns={{ initial: '1', md: '2' }} gap="4" role="list" aria-label="Supplier accounts">
          {items.map((a) => (
            <Box role="listitem" key={a.id}>
              <AccountCard account={a} />
            </Box>
          ))}
        </Grid>
      )}
    </>
  );
}
