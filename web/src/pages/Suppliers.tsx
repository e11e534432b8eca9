import { ArchiveIcon, InfoCircledIcon } from '@radix-ui/react-icons';
import { Badge, Callout, Code, DataList, Flex, Grid, Select, Switch, Text } from '@radix-ui/themes';
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { errorMessage } from '../api/errors';
import { SUPPLIER_PLATFORMS, supplierAccountsApi, supplierAccountsQuery, supplierPlatformOf, type SupplierAccount, type SupplierPlatform } from '../api/stores';
import { AccountCard } from '../components/accounts/AccountCard';
import { CjPointsUsage } from '../components/accounts/CjPointsUsage';
import { AccountForm as AccountFormShell, AddAccountDialog, EditAccountDialog, RemoveAccountDialog, useAccountMutation } from '../components/accounts/AccountDialogs';
import { AccountsPage } from '../components/accounts/AccountsPage';
import { PlatformBadge, PlatformPicker } from '../components/accounts/Platform';
import { FormField } from '../components/FormField';
import { Problem } from '../components/Problem';
import { formatDate } from '../lib/format';
import { ConnectAliExpressButton, LinkDetails, LinkResult, LinkStatusBadge } from '../components/suppliers/AliExpressLink';

const LIST_KEY = supplierAccountsQuery.queryKey;
const DIALOG_WIDTH = '560px';

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
  const set = (patch: Partial<AccountFormValues>) => setValues((v) => ({ ...v, ...patch }));
  const fields = values.platform ? CREDENTIAL_FIELDS[values.platform] : [];
  const editing = !!account;
  const filled = () => fields.filter((f) => values.credentials[f.key]?.trim());

  function check(): string | null {
    if (!editing && !values.platform) return 'Choose the supplier platform.';
    if (!values.name.trim()) return 'Give the account a name.';
    // New credentials replace the saved set, so a change needs every field again.
    const given = filled().length;
    if ((!editing || given > 0) && given < fields.length) return `Enter ${fields.map((f) => f.label.toLowerCase()).join(', ')}.`;
    return null;
  }

  return (
    <AccountFormShell check={check} onValid={() => onSubmit(values, filled().length > 0)} error={error} pending={pending} submitLabel={submitLabel}>
      {!editing && (
        <PlatformPicker
          id="supplier-platform-label"
          label="Supplier"
          platforms={SUPPLIER_PLATFORMS}
          columns={{ initial: '1', xs: '3' }}
          value={values.platform}
          onChange={(platform) => set({ platform, credentials: {} })}
        />
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
    </AccountFormShell>
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
  return (
    <AddAccountDialog
      label={label}
      title="Connect a supplier"
      maxWidth={DIALOG_WIDTH}
      listKey={LIST_KEY}
      save={(v: AccountFormValues) => supplierAccountsApi.create({ name: v.name.trim(), platform: v.platform!, credentials: credentialsOf(v), settings: settingsOf(v) })}
    >
      {(form) => <AccountForm initial={emptyForm} pending={form.pending} error={form.error} submitLabel="Connect supplier" onSubmit={(v) => form.save(v)} />}
    </AddAccountDialog>
  );
}

function EditSupplierDialog({ account }: { account: SupplierAccount }) {
  const settings = (account.settings ?? {}) as Record<string, string | number | boolean | null>;
  return (
    <EditAccountDialog
      name={account.name}
      maxWidth={DIALOG_WIDTH}
      listKey={LIST_KEY}
      save={({ v, replace }: { v: AccountFormValues; replace: boolean }) =>
        supplierAccountsApi.update(account.id, {
          ...(v.name.trim() !== account.name ? { name: v.name.trim() } : {}),
          ...(replace ? { credentials: credentialsOf(v) } : {}),
          ...(settingsOf(v) ? { settings: { ...settings, ...settingsOf(v) } } : {}),
        })
      }
    >
      {(form) => (
        <AccountForm
          initial={{
            platform: supplierPlatformOf(account.platform),
            name: account.name,
            credentials: {},
            shipTo: typeof settings.ship_to_country === 'string' ? settings.ship_to_country : 'US',
            currency: typeof settings.target_currency === 'string' ? settings.target_currency : 'USD',
          }}
          account={account}
          pending={form.pending}
          error={form.error}
          submitLabel="Save changes"
          onSubmit={(v, replace) => form.save({ v, replace })}
        />
      )}
    </EditAccountDialog>
  );
}

function DeleteSupplierDialog({ account }: { account: SupplierAccount }) {
  return (
    <RemoveAccountDialog
      name={account.name}
      verb="Delete"
      confirmLabel="Delete account"
      description="Its credentials are erased. Searches and imports for this supplier use another active account, or the demo catalogue when there is none."
      listKey={LIST_KEY}
      remove={() => supplierAccountsApi.remove(account.id)}
    />
  );
}

function SupplierCard({ account }: { account: SupplierAccount }) {
  const toggle = useAccountMutation(LIST_KEY, (isActive: boolean) => supplierAccountsApi.update(account.id, { is_active: isActive }));
  const switchId = useId();
  const credentials = Object.entries(account.credentials ?? {});
  const settings = (account.settings ?? {}) as Record<string, unknown>;
  const platform = supplierPlatformOf(account.platform);
  return (
    <AccountCard
      name={account.name}
      data={{ 'data-account-id': account.id }}
      subtitle={
        <Text as="p" size="1" color="gray" mt="1">
          Added {formatDate(account.created_at)}
        </Text>
      }
      badges={
        <>
          <PlatformBadge platform={account.platform} meta={platform && SUPPLIER_PLATFORMS[platform]} />
          <Badge color={account.is_active ? 'green' : 'gray'} variant="outline">
            {account.is_active ? 'Active' : 'Inactive'}
          </Badge>
          <LinkStatusBadge account={account} />
        </>
      }
    >
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
          {platform === 'spocket' ? 'No credentials needed: Spocket products come from the demo catalogue.' : 'No credentials saved: searches use the demo catalogue.'}
        </Text>
      )}
      <LinkDetails account={account} />
      {platform === 'cjdropshipping' && account.credentials && <CjPointsUsage accountId={account.id} />}
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
    </AccountCard>
  );
}

export default function Suppliers() {
  const accounts = useQuery(supplierAccountsQuery);
  return (
    <>
    <LinkResult accounts={accounts.data?.items} />
    <AccountsPage
      title="Suppliers"
      description="Your supplier accounts. With an active account SourcePilot searches and imports from the supplier’s live API; without one it uses the demo catalogue."
      query={accounts}
      addDialog={(label) => (
        <Flex gap="2" wrap="wrap" justify="center">
          <ConnectAliExpressButton variant="soft" />
          <ConnectSupplierDialog label={label} />
        </Flex>
      )}
      loading={{
        label: 'Loading supplier accounts',
        lines: [
          { width: '45%', height: '24px' },
          { width: '70%', height: '18px' },
          { width: '55%', height: '18px' },
        ],
      }}
      errorTitle="Could not load your supplier accounts"
      empty={{
        icon: <ArchiveIcon />,
        title: 'No supplier accounts yet',
        addLabel: 'Connect your first supplier',
        text: 'Link your AliExpress account in one step with Connect AliExpress, or add your own AliExpress or CJ Dropshipping API credentials, to search and import live products. Credentials are encrypted and only a masked hint is shown.',
      }}
      listLabel="Supplier accounts"
      card={(a) => <SupplierCard account={a} />}
    />
    </>
  );
}
