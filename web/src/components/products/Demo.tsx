import { InfoCircledIcon } from '@radix-ui/react-icons';
import { Badge, Callout, Link } from '@radix-ui/themes';
import { Link as RouterLink } from 'react-router';
import { sourceLabel, type SupplierSource } from '../../api/products';

export function DemoBadge() {
  return (
    <Badge color="amber" variant="soft">
      Demo catalogue
    </Badge>
  );
}

/** Why results are invented, and what makes them real. */
export function DemoNotice({ source }: { source: SupplierSource }) {
  return (
    <Callout.Root color="amber" size="1">
      <Callout.Icon>
        <InfoCircledIcon />
      </Callout.Icon>
      <Callout.Text>
        {source === 'spocket' ? (
          <>Spocket has no public API, so these are demo products for trying SourcePilot out. Import real Spocket products with Spocket’s own app.</>
        ) : (
          <>
            These results come from the demo catalogue, not from {sourceLabel(source)}.{' '}
            <Link asChild weight="medium">
              <RouterLink to="/suppliers">
                Connect {/^[AEIOU]/.test(sourceLabel(source)) ? 'an' : 'a'} {sourceLabel(source)} account
              </RouterLink>
            </Link>{' '}
            to search the live catalogue.
          </>
        )}
      </Callout.Text>
    </Callout.Root>
  );
}
