import { Button, Flex, Progress, Text } from '@radix-ui/themes';
import { useMutation, useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../api/errors';
import { cjPointsUsageQuery, cjWebhooksApi } from '../../api/stores';
import { formatNumber } from '../../lib/format';

/**
 * A CJ account's points spent on price checks today (CJ meters its API in points: 50,000
 * a day per account). Price checks may use 80 % of them, spread over the UTC day; checks
 * past the allowance are skipped and done at their next interval.
 */
export function CjPointsUsage({ accountId }: { accountId: string }) {
  const usage = useQuery(cjPointsUsageQuery);
  const webhooks = useMutation({ mutationFn: () => cjWebhooksApi.enable(accountId) });
  const row = usage.data?.items.find((i) => i.account_id === accountId);
  if (!row) return null;
  const share = row.price_check_budget > 0 ? Math.min(100, (row.points_used / row.price_check_budget) * 100) : 0;
  return (
    <Flex direction="column" gap="1" data-testid="cj-points">
      <Flex justify="between" gap="2" wrap="wrap">
        <Text size="2" weight="medium">
          CJ points for price checks today
        </Text>
        <Text size="2" color="gray">
          {formatNumber(row.points_used)} of {formatNumber(row.price_check_budget)}
        </Text>
      </Flex>
      <Progress value={share} size="1" aria-label="CJ points used today by price checks" />
      <Text size="1" color="gray">
        {formatNumber(row.points_per_check)} points per product check, spread over the day (up to {formatNumber(row.allowance_now)} by now).
        {row.checks_skipped > 0 && ` ${formatNumber(row.checks_skipped)} checks skipped today will run at their next interval.`}
      </Text>
      <Flex gap="2" align="center" wrap="wrap">
        <Button size="1" variant="soft" loading={webhooks.isPending} onClick={() => webhooks.mutate()}>
          {webhooks.isSuccess ? 'Refresh CJ webhooks' : 'Turn on CJ webhooks'}
        </Button>
        <Text size="1" color={webhooks.isError ? 'red' : 'gray'} role="status">
          {webhooks.isError
            ? errorMessage(webhooks.error)
            : webhooks.isSuccess
              ? `Webhooks on: ${formatNumber(webhooks.data.subscribed)} watched products subscribed. CJ price changes now reach your watches in seconds.`
              : 'Price changes pushed by CJ in seconds, without spending polling points.'}
        </Text>
      </Flex>
    </Flex>
  );
}
